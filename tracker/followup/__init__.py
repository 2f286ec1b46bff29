"""Nothing slips: acknowledging what a unit is given, watching, deadline extensions."""

"""My work: a person's own units' open tasks and shares, and what awaits a leader."""

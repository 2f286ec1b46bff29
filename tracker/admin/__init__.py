"""Administration: user accounts, units and the audit log (administrators only)."""

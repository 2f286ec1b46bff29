"""Congresses by term: each mass organisation's term and the calendar of congresses."""

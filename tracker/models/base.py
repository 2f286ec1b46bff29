"""Helpers shared by the models."""
import datetime as dt


def utcnow():
    """Return the current UTC time as a naive datetime (how timestamps are stored)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)

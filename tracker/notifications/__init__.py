"""Notifications: in-app notices of what needs a person, and `flask remind`."""

"""The one source of a quarter's figures.

services computes them in Python from a quarter's tasks at a cut-off date; counting
counts the same classes inside the database for the pages that compare many quarters
(a test holds the two equal); views serves them whole as figures.json.
"""

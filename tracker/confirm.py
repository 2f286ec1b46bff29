"""Irreversible actions ask first: a page saying what will happen, then the action.

A page's form for such an action carries review=1: its address answers that POST
with the confirmation page (nothing is written), whose own form posts the same
fields again without it, and the action is done.
"""
from flask import render_template, request

from tracker.forms import Form

REVIEW = "review"


def wants_review():
    """Tell whether the posted form asks to see what will happen first."""
    return request.method == "POST" and request.form.get(REVIEW) == "1"


def confirmation_page(title, consequences, cancel_url, button, items=()):
    """Render the confirmation page: what will happen, and the form that does it.

    consequences are sentences; items (optional) are (title, detail) pairs listed
    beneath them, e.g. the tasks that end here with their reasons.
    """
    fields = [(name, value) for name, value in request.form.items(multi=True)
              if name not in (REVIEW, "csrf_token")]
    return render_template(
        "confirm.html", title=title, consequences=consequences, items=items,
        fields=fields, action=request.full_path.rstrip("?"), cancel_url=cancel_url,
        button=button, form=Form(),
    )

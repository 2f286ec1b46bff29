"""Fixtures of follow-up: a task given to a lead unit and a participating unit."""
import datetime as dt

import pytest

from tracker.models import Task, TaskUnit

# The conftest's pinned day is 2023-05-15 (quarter 2023-Q2 open).
GIVEN = dt.datetime(2023, 5, 1, 8, 0)


@pytest.fixture
def cast(make_unit, make_user):
    """Return the units LEAD, SHARE, OTHER, an account in each, and a leader."""
    lead, share, other = (make_unit(short_name=name) for name in ("LEAD", "SHARE",
                                                                  "OTHER"))
    return dict(
        lead=lead, share=share, other=other,
        lead_staff=make_user("lead_staff", units=[lead]),
        lead_staff2=make_user("lead_staff2", units=[lead]),
        share_staff=make_user("share_staff", units=[share]),
        other_staff=make_user("other_staff", units=[other]),
        leader=make_user("boss", role="leader"),
        viewer=make_user("reader", role="viewer"),
    )


@pytest.fixture
def given_task(db, cast, make_task, make_quarter):
    """Return a task of 2023-Q2 led by LEAD with a share for SHARE, given on 1 May."""
    quarter = make_quarter(2023, 2)
    task = make_task(quarter=quarter, lead=cast["lead"], participating=[cast["share"]],
                     title="Đối thoại với nhân dân xã Tịnh Hà",
                     due_on=dt.date(2023, 6, 10))
    db.session.execute(db.update(Task).where(Task.id == task.id)
                       .values(created_at=GIVEN))
    db.session.commit()
    db.session.expire_all()
    return db.session.get(Task, task.id)


def sign_in(client, user):
    """Sign the client in as an existing user (password "secret-pass")."""
    response = client.post("/login", data={"username": user.username,
                                           "password": "secret-pass"})
    assert response.status_code == 302


def link_of(db, task, unit):
    """Return the task's link with the unit, fresh from the database."""
    db.session.expire_all()
    return db.session.get(TaskUnit, (task.id, unit.id))

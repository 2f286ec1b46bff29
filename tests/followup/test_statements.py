"""The pages showing follow-up cost the same statements however many rows they show."""
import datetime as dt

from tests.followup.conftest import GIVEN, sign_in
from tracker.followup.services import (
    acknowledge, decide_extension, request_extension, set_watching,
)
from tracker.models import Task


def _add(db, quarter, cast, make_task, n, start):
    for i in range(start, start + n):
        task = make_task(quarter=quarter, lead=cast["lead"],
                         participating=[cast["share"], cast["other"]],
                         title=f"Việc {i}", due_on=dt.date(2023, 6, 10))
        db.session.execute(db.update(Task).where(Task.id == task.id)
                           .values(created_at=GIVEN))
        task = db.session.get(Task, task.id)
        if i % 2:
            acknowledge(task, cast["share"].id, cast["share_staff"])
        if i % 3 == 0:
            extension = request_extension(task, dt.date(2023, 6, 20), "Lý do",
                                          cast["lead_staff"])
            if i % 2 == 0:
                decide_extension(extension, True, "", cast["leader"])
        set_watching(cast["viewer"], True, task=task)
    db.session.commit()


def _counts(client, count_queries, paths):
    found = []
    for path in paths:
        with count_queries() as statements:
            assert client.get(path).status_code == 200, path
        found.append(len(statements))
    return found


def test_board_summary_and_me_do_not_grow_with_their_rows(
        app, client, db, cast, make_quarter, make_task, count_queries):
    cached, app.config["PAGE_CACHE"] = app.config["PAGE_CACHE"], False
    try:
        quarter = make_quarter(2023, 2)
        set_watching(cast["leader"], True, quarter=quarter)
        _add(db, quarter, cast, make_task, 3, 0)
        sign_in(client, cast["leader"])
        paths = [f"/quarters/{quarter.key}/", f"/quarters/{quarter.key}/summary",
                 "/me"]
        few = _counts(client, count_queries, paths)
        _add(db, quarter, cast, make_task, 24, 3)
        many = _counts(client, count_queries, paths)
        assert many == few
        board = client.get(f"/quarters/{quarter.key}/").get_data(as_text=True)
        assert board.count('class="badge text-bg-warning unacknowledged"') == 27
        assert board.count('class="due-extended"') == 5
    finally:
        app.config["PAGE_CACHE"] = cached

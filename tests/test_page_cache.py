"""The board is kept in the cache only while nothing it shows has changed.

Each test reads the board until it is served from the cache, changes something the
board shows (through a page, through the ORM, in another session, or not at all),
and checks what the next request shows.
"""
import datetime as dt
import re

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from tests.helpers import get_task, page_text
from tracker.extensions import cache
from tracker.models import Task, TaskUpdate, Unit
from tracker.models.revision import DataRevision

BOARD = "/quarters/2023-Q2/"


def token(db):
    """Return the stored data token."""
    return db.session.scalar(select(DataRevision.token))


def warm(client, count_queries, path=BOARD):
    """Request the page until it comes from the cache; return the cached text."""
    client.get(path)  # the session gets its CSRF secret
    first = page_text(client.get(path))  # rendered and kept
    with count_queries() as statements:
        again = page_text(client.get(path))
    # One statement: the signed-in user, with the data token.
    assert len(statements) == 1, statements
    assert again == first
    return again


@pytest.fixture(autouse=True)
def empty_cache(app):
    with app.app_context():
        cache.clear()


def test_a_repeated_board_reads_one_statement_and_shows_the_same(
    client, login_as, demo, count_queries
):
    login_as("viewer")
    text = warm(client, count_queries)
    assert "Đại hội" in text


def test_a_change_through_a_page_shows_at_once(client, login_as, demo, db,
                                               count_queries):
    task = get_task("Lớp tập huấn nghiệp vụ")
    login_as("admin")
    before = warm(client, count_queries)
    old_token = token(db)
    response = client.post(f"/tasks/{task.id}/status",
                           data={"status": "in_progress", "progress": "45"})
    assert response.status_code == 302
    assert token(db) != old_token
    client.get(BOARD)  # shows the flashed message, not kept
    after = page_text(client.get(BOARD))
    assert after != before
    assert 'aria-valuenow="45"' in after


def test_a_change_by_another_process_shows_at_once(client, login_as, demo, db,
                                                   count_queries):
    login_as("viewer")
    warm(client, count_queries)
    # Another server's session: nothing in this process sees the write happen.
    with Session(db.engine) as other:
        task = other.get(Task, get_task("Lớp tập huấn nghiệp vụ").id)
        task.title = "Lớp tập huấn đổi tên bởi máy chủ khác"
        other.commit()
    # The tests' requests share one session; in production each request starts
    # a new one, which this ends the shared one's transaction to match.
    db.session.rollback()
    assert "đổi tên bởi máy chủ khác" in page_text(client.get(BOARD))


def test_renaming_a_unit_shows_on_the_board(client, login_as, demo, db, count_queries):
    login_as("viewer")
    warm(client, count_queries)
    unit = db.session.scalars(select(Unit).where(Unit.short_name == "HND")).one()
    unit.short_name = "HỘI ND"
    db.session.commit()
    assert "HỘI ND" in page_text(client.get(BOARD))


def test_a_rolled_back_change_keeps_the_token_and_the_page(client, login_as, demo,
                                                           db, count_queries):
    login_as("viewer")
    before = warm(client, count_queries)
    old_token = token(db)
    task = get_task("Lớp tập huấn nghiệp vụ")
    task.title = "Không lưu"
    db.session.flush()
    db.session.rollback()
    assert token(db) == old_token
    with count_queries() as statements:
        assert page_text(client.get(BOARD)) == before
    assert len(statements) == 1


def test_reading_pages_does_not_change_the_token(client, login_as, demo, db):
    login_as("admin")
    old_token = token(db)
    for path in (BOARD, "/quarters/", "/quarters/2023-Q2/summary", "/units/",
                 f"/tasks/{get_task('Lớp tập huấn nghiệp vụ').id}"):
        assert client.get(path).status_code == 200
    assert token(db) == old_token


def test_bulk_statements_through_the_session_change_the_token(demo, db):
    old_token = token(db)
    task = get_task("Lớp tập huấn nghiệp vụ")
    db.session.execute(insert(TaskUpdate).values(
        task_id=task.id, action="note", old_status=task.status,
        new_status=task.status, old_progress=task.progress,
        new_progress=task.progress, note="bulk"))
    db.session.commit()
    assert token(db) != old_token


def test_each_person_gets_their_own_page(client, app, login_as, demo, count_queries):
    login_as("admin")
    admin_page = warm(client, count_queries)
    assert "Thêm nhiệm vụ" in admin_page
    client.post("/logout")
    login_as("viewer")
    viewer_page = page_text(client.get(BOARD))
    assert "Thêm nhiệm vụ" not in viewer_page
    assert "Viewer_User" in viewer_page and "Admin_User" not in viewer_page
    # The list of tasks itself is shared: the viewer's page holds the same part.
    part = re.compile(r'<form method="get".*</section>', re.S)
    assert part.search(viewer_page).group(0) == part.search(admin_page).group(0)


def test_the_language_and_the_day_are_part_of_the_key(client, app, login_as, demo,
                                                      count_queries):
    login_as("viewer")
    vietnamese = warm(client, count_queries)
    english = page_text(client.get(BOARD + "?lang=en"))
    assert "All units" in english and "Tất cả đơn vị" not in english
    assert "All units" in page_text(client.get(BOARD))  # the choice is remembered
    assert "Tất cả đơn vị" in page_text(client.get(BOARD + "?lang=vi"))
    assert "Tất cả đơn vị" in vietnamese
    # A day later, timeliness is judged again.
    overdue_before = vietnamese.count("timeliness-overdue")
    app.config["TODAY"] = "2023-09-01"
    try:
        later = page_text(client.get(BOARD))
    finally:
        app.config["TODAY"] = "2023-05-15"
    assert later.count("timeliness-overdue") > overdue_before


def test_switched_off_it_renders_every_time(client, app, login_as, demo,
                                            count_queries):
    login_as("viewer")
    app.config["PAGE_CACHE"] = False
    try:
        client.get(BOARD)
        counts = []
        for _ in range(2):
            with count_queries() as statements:
                client.get(BOARD)
            counts.append(len(statements))
    finally:
        app.config["PAGE_CACHE"] = True
    assert counts[0] == counts[1] > 1


def test_a_search_is_never_kept_as_a_part(client, login_as, demo, count_queries):
    login_as("viewer")
    client.get(BOARD)
    path = BOARD + "?q=tap+huan"
    client.get(path)
    cache.clear()  # the page itself is kept per person; its part is not
    with count_queries() as first:
        client.get(path)
    cache.clear()
    with count_queries() as second:
        client.get(path)
    assert len(first) == len(second) > 1


def test_a_flashed_message_shows_once(client, login_as, demo, db, count_queries):
    login_as("admin")
    warm(client, count_queries)
    task = get_task("Lớp tập huấn nghiệp vụ")
    client.post(f"/tasks/{task.id}/status", data={"status": "in_progress",
                                                   "progress": "30"})
    with_message = page_text(client.get(BOARD))
    assert 'role="alert"' in with_message
    assert 'role="alert"' not in page_text(client.get(BOARD))
    assert 'role="alert"' not in page_text(client.get(BOARD))


def test_a_new_quarter_from_the_generator_is_seen(client, login_as, db, count_queries):
    from tracker.generate import generate, resolve_sizes, wipe

    generate(resolve_sizes(None, 2, 5, 8, seed=3), dt.date(2023, 5, 15))
    client.post("/login", data={"username": "lanhdao", "password": "demo"})
    first = warm(client, count_queries)
    wipe()
    generate(resolve_sizes(None, 2, 5, 8, seed=4), dt.date(2023, 5, 15))
    db.session.expire_all()
    assert page_text(client.get(BOARD)) != first


@pytest.mark.parametrize("path", ["/quarters/", "/quarters/2023-Q2/summary"])
def test_the_quarter_list_and_the_summary_are_kept_too(client, login_as, demo, db,
                                                       count_queries, path):
    task = get_task("Lớp tập huấn nghiệp vụ")
    login_as("admin")
    before = warm(client, count_queries, path)
    client.post(f"/tasks/{task.id}/status", data={"status": "done", "progress": "100"})
    client.get(path)  # with the flashed message
    after = page_text(client.get(path))
    assert after != before

"""Levels below the commune: villages and residential groups placed under a commune,
given shares like any unit, and the figures of a unit read with the units below it."""
import datetime as dt
import re

import pytest

from tests.helpers import page_text
from tracker.figures.services import quarter_figures
from tracker.models import AuditEvent, Task, TaskUnit, Unit
from tracker.reports import phrases
from tracker.tasks import services as task_services

D = dt.date


@pytest.fixture
def levels(make_unit, make_quarter):
    """Return the district, two communes, and villages: two in Tịnh Trà, one in
    Tịnh Hiệp, and the open 2023-Q2."""
    quarter = make_quarter(2023, 2)
    district = make_unit("Ban Thường vụ Huyện ủy", "BTVHU", kind="party_committee")
    board = make_unit("Ban Dân vận Huyện ủy", "BDV", kind="party_board",
                      parent=district)
    tra = make_unit("Đảng ủy xã Tịnh Trà", "ĐU Tịnh Trà",
                    kind="commune_party_committee", parent=district)
    hiep = make_unit("Đảng ủy xã Tịnh Hiệp", "ĐU Tịnh Hiệp",
                     kind="commune_party_committee", parent=district)
    an_loc = make_unit("Thôn An Lộc", "An Lộc", kind="village", parent=tra)
    tra_binh = make_unit("Tổ dân phố Trà Bình", "TDP Trà Bình",
                         kind="residential_group", parent=tra)
    binh_dong = make_unit("Thôn Bình Đông", "Bình Đông", kind="village", parent=hiep)
    return dict(quarter=quarter, district=district, board=board, tra=tra,
                hiep=hiep, an_loc=an_loc, tra_binh=tra_binh, binh_dong=binh_dong)


def _link(db, task, unit):
    return db.session.get(TaskUnit, (task.id, unit.id))


@pytest.fixture
def three_levels(db, levels, make_task):
    """The commune leads a task due 10/05 with a share for each of its two villages:
    An Lộc reported its share done on 02/05, Trà Bình has not (overdue on 15/05)."""
    task = make_task(quarter=levels["quarter"], lead=levels["tra"],
                     participating=[levels["an_loc"], levels["tra_binh"]],
                     title="Rà soát Quy chế dân chủ ở các thôn", due_on=D(2023, 5, 10))
    task_services.report_share(_link(db, task, levels["an_loc"]), "done", D(2023, 5, 2),
                               "Đã rà soát", None, today=D(2023, 5, 2))
    db.session.commit()
    return task


# ---- unit kinds and the admin's unit form ------------------------------------------

def test_the_new_kinds_have_labels_in_both_languages(app):
    from flask_babel import force_locale

    from tracker.models import UNIT_KINDS

    with app.test_request_context():
        with force_locale("vi"):
            assert str(UNIT_KINDS["village"]) == "Thôn"
            assert str(UNIT_KINDS["residential_group"]) == "Tổ dân phố"
        with force_locale("en"):
            assert str(UNIT_KINDS["village"]) == "Village (thôn)"
            assert str(UNIT_KINDS["residential_group"]) == "Residential group"


def test_an_admin_creates_a_village_under_a_commune(client, login_as, levels, db):
    admin = login_as("admin")
    form = page_text(client.get("/admin/units/new"))
    assert '<option value="village">Thôn</option>' in form
    assert '<option value="residential_group">Tổ dân phố</option>' in form
    # The "Under" list is the tree: a village is indented below its commune.
    assert re.search(
        rf'<option value="{levels["tra"].id}">\xa0{{3}}Đảng ủy xã Tịnh Trà</option>\s*'
        rf'<option value="{levels["an_loc"].id}">\xa0{{6}}Thôn An Lộc</option>', form)
    response = client.post("/admin/units/new", data={
        "name": "Thôn Trà Lạc", "short_name": "Trà Lạc", "kind": "village",
        "parent_id": str(levels["tra"].id), "sort_order": "9"})
    assert response.status_code == 302
    village = db.session.scalar(db.select(Unit).where(Unit.short_name == "Trà Lạc"))
    assert (village.kind, village.parent_id) == ("village", levels["tra"].id)
    event = db.session.scalar(db.select(AuditEvent).where(
        AuditEvent.entity_type == "unit", AuditEvent.entity_id == village.id))
    assert event.user_id == admin.id
    assert event.changes["parent_id"] == [None, "ĐU Tịnh Trà"]


def test_the_admin_list_shows_the_levels(client, login_as, levels):
    login_as("admin")
    text = page_text(client.get("/admin/units/"))
    rows = re.findall(r'<tr [^>]*id="unit-(\d+)">\s*<td class="unit-depth-(\d)">', text)
    depth = {int(unit_id): int(level) for unit_id, level in rows}
    assert depth[levels["district"].id] == 0
    assert depth[levels["tra"].id] == 1
    assert depth[levels["an_loc"].id] == depth[levels["tra_binh"].id] == 2
    order = [int(unit_id) for unit_id, _ in rows]
    # Each village right below its own commune.
    assert order.index(levels["an_loc"].id) == order.index(levels["tra"].id) + 1
    assert order.index(levels["binh_dong"].id) == order.index(levels["hiep"].id) + 1
    assert "Thôn" in text and "Tổ dân phố" in text


def test_a_village_needs_the_unit_above_it(client, login_as, levels, db):
    login_as("admin")
    response = client.post("/admin/units/new", data={
        "name": "Thôn Trà Lạc", "short_name": "Trà Lạc", "kind": "village",
        "parent_id": "0", "sort_order": "9"})
    assert response.status_code == 400
    assert "Chọn xã (hoặc đơn vị) mà thôn này trực thuộc." in page_text(response)
    assert db.session.scalar(db.select(Unit).where(Unit.short_name == "Trà Lạc")) is None


@pytest.mark.parametrize("under", ["tra", "an_loc"])
def test_a_commune_cannot_go_under_itself_or_its_village(client, login_as, levels, db,
                                                          under):
    login_as("admin")
    commune = levels["tra"]
    response = client.post(f"/admin/units/{commune.id}", data={
        "name": commune.name, "short_name": commune.short_name,
        "kind": commune.kind, "parent_id": str(levels[under].id), "sort_order": "3"})
    assert response.status_code == 400
    assert ("Không thể đặt một đơn vị dưới chính nó hoặc dưới một đơn vị cấp dưới của "
            "nó." in page_text(response))
    db.session.expire_all()
    assert db.session.get(Unit, commune.id).parent_id == levels["district"].id
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id))) == 0


def test_a_unit_is_not_placed_under_a_group_or_an_outside_body(client, login_as,
                                                              levels, make_unit, db):
    login_as("admin")
    outside = make_unit("Ban Tuyên giáo Huyện ủy", "BTGHU", kind="external")
    form = page_text(client.get("/admin/units/new"))
    assert f'<option value="{outside.id}"' not in form
    response = client.post("/admin/units/new", data={
        "name": "Thôn Trà Lạc", "short_name": "Trà Lạc", "kind": "village",
        "parent_id": str(outside.id), "sort_order": "9"})
    assert response.status_code == 400
    assert "Lựa chọn không hợp lệ" in page_text(response)
    assert db.session.scalar(db.select(Unit).where(Unit.short_name == "Trà Lạc")) is None


def test_staff_accounts_are_offered_villages_under_their_commune(client, login_as,
                                                                 levels):
    login_as("admin")
    text = page_text(client.get("/admin/users/new"))
    assert "ĐU Tịnh Trà › Thôn An Lộc" in text
    assert text.index("Đảng ủy xã Tịnh Trà") < text.index("ĐU Tịnh Trà › Thôn An Lộc")


# ---- a share at any level ------------------------------------------------------------

def test_the_task_form_names_villages_under_their_commune(client, login_as, levels):
    login_as("staff", units=[levels["board"]])
    text = page_text(client.get("/tasks/new?quarter=2023-Q2"))
    labels = re.findall(r'for="participating-\d+">([^<]+)</label>', text)
    tra = labels.index("Đảng ủy xã Tịnh Trà")
    assert labels[tra + 1:tra + 3] == ["ĐU Tịnh Trà › Thôn An Lộc",
                                       "ĐU Tịnh Trà › Tổ dân phố Trà Bình"]
    assert labels[labels.index("Đảng ủy xã Tịnh Hiệp") + 1] == (
        "ĐU Tịnh Hiệp › Thôn Bình Đông")
    lead = re.findall(r'<option value="\d+">([^<]+)</option>',
                      text[text.index('id="lead_unit_id"'):])
    assert "ĐU Tịnh Trà › Thôn An Lộc" in lead
    # The scope (địa bàn) stays communes.
    assert re.findall(r'for="scope-\d+">([^<]+)</label>', text) == [
        "Đảng ủy xã Tịnh Trà", "Đảng ủy xã Tịnh Hiệp"]


def test_a_task_gives_shares_to_villages(client, login_as, levels, db):
    login_as("staff", units=[levels["board"]])
    response = client.post("/tasks/new?quarter=2023-Q2", data={
        "kind": "democracy", "title": "Rà soát Quy chế dân chủ ở các thôn",
        "lead_unit_id": str(levels["tra"].id),
        "participating": [str(levels["an_loc"].id), str(levels["binh_dong"].id)],
        "coordinating": [str(levels["tra_binh"].id)],
        "due_on": "30/06/2023"})
    assert response.status_code == 302, page_text(response)
    task = db.session.scalar(db.select(Task))
    assert sorted((link.unit.short_name, link.role) for link in task.unit_links) == [
        ("An Lộc", "participating"), ("Bình Đông", "participating"),
        ("TDP Trà Bình", "coordinating")]


def test_a_villages_staff_report_its_share_and_no_other(client, login_as, levels, db,
                                                        make_task):
    task = make_task(quarter=levels["quarter"], lead=levels["board"],
                     participating=[levels["an_loc"], levels["binh_dong"]])
    login_as("staff", units=[levels["an_loc"]])
    response = client.post(f"/tasks/{task.id}/share", data={
        "unit_id": str(levels["an_loc"].id), "share_status": "done",
        "share_done_on": "2023-05-02", "share_note": "Thôn đã họp dân"})
    assert response.status_code == 302
    response = client.post(f"/tasks/{task.id}/share", data={
        "unit_id": str(levels["binh_dong"].id), "share_status": "done",
        "share_done_on": "2023-05-02"})
    assert response.status_code in (403, 404)
    db.session.expire_all()
    assert _link(db, task, levels["an_loc"]).share_status == "done"
    assert _link(db, task, levels["binh_dong"]).share_status == "not_started"
    [update] = [u for u in db.session.get(Task, task.id).updates if u.action == "share"]
    assert update.unit_id == levels["an_loc"].id


# ---- the commune filter --------------------------------------------------------------

@pytest.fixture
def commune_tasks(levels, make_task):
    """Return tasks: the commune's own, one of its village only, one of another
    commune's village, one with none of them."""
    return dict(
        own=make_task(quarter=levels["quarter"], lead=levels["tra"],
                      title="Việc của xã Tịnh Trà"),
        village=make_task(quarter=levels["quarter"], lead=levels["board"],
                          participating=[levels["tra_binh"]],
                          title="Việc giao tổ dân phố Trà Bình"),
        led_by_village=make_task(quarter=levels["quarter"], lead=levels["an_loc"],
                                 title="Việc thôn An Lộc chủ trì"),
        other=make_task(quarter=levels["quarter"], lead=levels["board"],
                        coordinating=[levels["binh_dong"]],
                        title="Việc giao thôn Bình Đông"),
        none=make_task(quarter=levels["quarter"], lead=levels["board"],
                       title="Việc của Ban"),
    )


def _titles(text):
    return set(re.findall(r'class="[^"]*task-title[^"]*"[^>]*>([^<]+)<', text))


def test_the_commune_filter_takes_in_the_units_below(client, login_as, levels,
                                                     commune_tasks):
    login_as("viewer")
    expected = {"Việc của xã Tịnh Trà", "Việc giao tổ dân phố Trà Bình",
                "Việc thôn An Lộc chủ trì"}
    board = page_text(client.get(f"/quarters/2023-Q2/?commune={levels['tra'].id}"))
    assert _titles(board) == expected
    found = page_text(client.get(f"/search?commune={levels['tra'].id}"))
    assert _titles(found) == expected
    other = page_text(client.get(f"/quarters/2023-Q2/?commune={levels['hiep'].id}"))
    assert _titles(other) == {"Việc giao thôn Bình Đông"}


def test_the_commune_filter_takes_in_the_scope_below(db, levels, make_task):
    from tracker.models.task import task_scope

    task = make_task(quarter=levels["quarter"], lead=levels["board"],
                     title="Việc trên địa bàn thôn")
    # A scope naming a village (as a script or an older row may have written it).
    db.session.execute(task_scope.insert().values(task_id=task.id,
                                                  unit_id=levels["an_loc"].id))
    db.session.commit()
    conditions = task_services.board_conditions(levels["quarter"],
                                                commune_id=levels["tra"].id)
    assert db.session.scalars(db.select(Task.id).where(*conditions)).all() == [task.id]
    conditions = task_services.board_conditions(levels["quarter"],
                                                commune_id=levels["hiep"].id)
    assert db.session.scalars(db.select(Task.id).where(*conditions)).all() == []


# ---- roll-ups --------------------------------------------------------------------------

def _row(figures, unit):
    return next(row for row in figures["units"] if row["id"] == unit.id)


def test_a_commune_adds_up_with_its_villages(db, levels, three_levels):
    figures = quarter_figures(levels["quarter"])  # as of 15/05/2023
    tra = _row(figures, levels["tra"])
    # Its own: the task it leads, overdue.
    assert (tra["led"], tra["shares"], tra["done"], tra["overdue"]) == (1, 0, 0, 1)
    an_loc, tra_binh = _row(figures, levels["an_loc"]), _row(figures, levels["tra_binh"])
    assert (an_loc["shares"], an_loc["done_on_time"], an_loc["overdue"]) == (1, 1, 0)
    assert (tra_binh["shares"], tra_binh["done"], tra_binh["overdue"]) == (1, 0, 1)
    assert an_loc["with_below"] is None and tra_binh["with_below"] is None
    below = tra["with_below"]
    assert below["units_below"] == 2
    assert (below["led"], below["shares"], below["coordinated"]) == (1, 2, 0)
    assert (below["done"], below["done_on_time"], below["overdue"]) == (1, 1, 2)
    assert below["rate"] == pytest.approx(1 / 3)
    # The district above: no work of its own, the three below it added up.
    district = _row(figures, levels["district"])
    assert (district["led"], district["shares"], district["done"]) == (0, 0, 0)
    assert district["with_below"] == dict(below, units_below=3)
    # The labels say where a village is.
    assert an_loc["label"] == "ĐU Tịnh Trà › Thôn An Lộc"
    assert tra["label"] == "Đảng ủy xã Tịnh Trà"
    # A commune without work below it has no roll-up; nor a unit with no part.
    assert all(row["id"] != levels["hiep"].id for row in figures["units"])


def _percent(rate):
    return phrases.percent(rate) if rate is not None else "—"


def test_the_page_the_json_and_the_module_agree(client, login_as, levels,
                                                three_levels, make_task):
    # More work elsewhere: the board leads a task with a share for Bình Đông.
    make_task(quarter=levels["quarter"], lead=levels["board"],
              participating=[levels["binh_dong"]], title="Việc khác")
    figures = quarter_figures(levels["quarter"])
    rolled = {row["id"]: row["with_below"] for row in figures["units"]
              if row["with_below"]}
    assert set(rolled) == {levels["district"].id, levels["tra"].id, levels["hiep"].id}
    login_as("viewer")
    document = client.get("/quarters/2023-Q2/figures.json").get_json()
    assert {row["id"]: row["with_below"] for row in document["units"]
            if row["with_below"]} == rolled
    assert [(row["id"], row["led"], row["shares"]) for row in document["units"]] == [
        (row["id"], row["led"], row["shares"]) for row in figures["units"]]

    text = page_text(client.get("/quarters/2023-Q2/summary"))
    stated = {}
    for unit_id, led, shares, done, overdue, rate in re.findall(
        r'id="unit-below-(\d+)">.*?below-led">(\d+)<.*?below-shares">(\d+)<.*?'
        r'below-done">(\d+)<.*?below-overdue">(\d+)<.*?below-rate">([^<]*)<', text
    ):
        stated[int(unit_id)] = (int(led), int(shares), int(done), int(overdue), rate)
    assert stated == {
        unit_id: (row["led"], row["shares"], row["done"], row["overdue"],
                  _percent(row["rate"]))
        for unit_id, row in rolled.items()}
    # Each roll-up line follows its unit's own row.
    for unit_id in rolled:
        own = text.index(f'id="unit-score-{unit_id}"')
        line = text.index(f'id="unit-below-{unit_id}"')
        assert line > own and text[own:line].count("<tr") == 1
    assert "ĐU Tịnh Trà › Thôn An Lộc" in text

    for unit in (levels["tra"], levels["district"]):
        row = rolled[unit.id]
        page = page_text(client.get(f"/units/{unit.id}?quarter=2023-Q2"))
        for name in ("led", "shares", "done", "overdue"):
            assert f'id="below-{name}">{row[name]}<' in page
        assert f'id="below-rate">{_percent(row["rate"])}<' in page
    # A village's page has no roll-up; its commune's names it among the units below.
    village = page_text(client.get(f"/units/{levels['an_loc'].id}?quarter=2023-Q2"))
    assert 'id="score-with-below"' not in village
    commune = page_text(client.get(f"/units/{levels['tra'].id}?quarter=2023-Q2"))
    assert f'/units/{levels["an_loc"].id}?quarter=2023-Q2">Thôn An Lộc</a>' in commune
    # Its own lists are its own tasks: the villages' shares are not listed as its.
    assert 'id="score-led">1<' in commune and 'id="score-shares">0<' in commune


def test_a_unit_page_counts_only_its_own_tasks_in_its_lists(client, login_as, levels,
                                                           make_task):
    make_task(quarter=levels["quarter"], lead=levels["board"],
              participating=[levels["an_loc"]], title="Việc giao thôn An Lộc")
    login_as("viewer")
    text = page_text(client.get(f"/units/{levels['tra'].id}?quarter=2023-Q2"))
    assert "Việc giao thôn An Lộc" not in text
    assert 'id="below-shares">1<' in text

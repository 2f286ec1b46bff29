"""Groups of units and co-leads: a group leads or coordinates as one and its members
take their parts; a task may have several lead units; each unit is counted once."""
import datetime as dt

import pytest

from tests.helpers import page_text, visible_text
from tracker.auth import policy
from tracker.figures.services import quarter_figures
from tracker.models import AuditEvent, Notification, Task, TaskUnit, Unit
from tracker.tasks import services


@pytest.fixture
def board(make_unit):
    """The board, the Front and two mass organisations, two communes."""
    return {
        "BDV": make_unit("Ban Dân vận Huyện ủy", "BDV", kind="party_board"),
        "MTTQ": make_unit("Ủy ban MTTQ huyện", "MTTQ", kind="front"),
        "HND": make_unit("Hội Nông dân huyện", "HND"),
        "HLHPN": make_unit("Hội Liên hiệp Phụ nữ huyện", "HLHPN"),
        "ĐU Tịnh Hà": make_unit("Đảng ủy xã Tịnh Hà", "ĐU Tịnh Hà",
                                kind="commune_party_committee"),
        "ĐU Tịnh Trà": make_unit("Đảng ủy xã Tịnh Trà", "ĐU Tịnh Trà",
                                 kind="commune_party_committee"),
    }


@pytest.fixture
def make_group(db):
    """Return a builder of groups of units."""

    def build(name, short_name, members):
        group = Unit(name=name, short_name=short_name, kind="group", sort_order=50)
        group.members = list(members)
        db.session.add(group)
        db.session.commit()
        return group

    return build


def _links(task):
    return {link.unit.short_name: (link.role, link.via_group_id)
            for link in task.unit_links}


# ---- the admin pages ---------------------------------------------------------------

def test_an_admin_creates_and_edits_a_group(client, login_as, db, board):
    admin = login_as("admin")
    assert "Khối Dân vận" not in page_text(client.get("/admin/groups/"))
    form = page_text(client.get("/admin/groups/new"))
    assert "Hội Nông dân huyện" in form
    response = client.post("/admin/groups/new", data={
        "name": "Khối Dân vận", "short_name": "Khối DV", "sort_order": "40",
        "members": [str(board["MTTQ"].id), str(board["HND"].id)]})
    assert response.status_code == 302, page_text(response)[:2000]
    group = db.session.scalar(db.select(Unit).where(Unit.short_name == "Khối DV"))
    assert group.kind == "group" and group.is_group and not group.is_scored
    assert [unit.short_name for unit in group.members] == ["MTTQ", "HND"]
    listing = page_text(client.get("/admin/groups/"))
    assert "Khối Dân vận" in listing and "MTTQ, HND" in listing

    response = client.post(f"/admin/groups/{group.id}", data={
        "name": "Khối Dân vận huyện", "short_name": "Khối DV", "sort_order": "40",
        "members": [str(board["HND"].id), str(board["HLHPN"].id)]})
    assert response.status_code == 302
    db.session.expire_all()
    group = db.session.get(Unit, group.id)
    assert group.name == "Khối Dân vận huyện"
    assert [unit.short_name for unit in group.members] == ["HND", "HLHPN"]
    events = db.session.scalars(db.select(AuditEvent).where(
        AuditEvent.entity_type == "unit", AuditEvent.entity_id == group.id)
        .order_by(AuditEvent.id)).all()
    assert [event.action for event in events] == ["created", "members", "updated",
                                                  "members"]
    assert events[-1].changes["members"] == [["HND", "MTTQ"], ["HLHPN", "HND"]]
    assert all(event.user_id == admin.id for event in events)
    # The unit's own page sends to the group's, which keeps the members.
    assert client.get(f"/admin/units/{group.id}").headers["Location"].endswith(
        f"/admin/groups/{group.id}")


@pytest.mark.parametrize("bad, message", [
    ({"name": ""}, "Nhập tên đơn vị"),
    ({"members": []}, "Chọn các đơn vị thành viên"),
    ({"members": ["99999"]}, ""),
    ({"members": ["abc"]}, ""),
    ({"short_name": "HND"}, "Đã có đơn vị khác mang tên viết tắt này"),
])
def test_a_bad_group_is_refused_and_nothing_stored(client, login_as, db, board, bad,
                                                   message):
    login_as("admin")
    data = {"name": "Khối Dân vận", "short_name": "Khối DV", "sort_order": "40",
            "members": [str(board["HND"].id)]}
    data.update(bad)
    response = client.post("/admin/groups/new", data=data)
    assert response.status_code == 400
    assert message in page_text(response)
    assert db.session.scalar(db.select(Unit).where(Unit.kind == "group")) is None


def test_groups_are_not_members_nor_accounts_units(client, login_as, db, board,
                                                   make_group):
    group = make_group("Các cơ sở", "Các cơ sở", [board["ĐU Tịnh Hà"]])
    login_as("admin")
    assert f'value="{group.id}"' not in page_text(client.get("/admin/groups/new"))
    assert "Các cơ sở" not in page_text(client.get("/admin/users/new"))


def test_only_admins_manage_groups(client, login_as, board, make_group):
    group = make_group("Các cơ sở", "Các cơ sở", [board["ĐU Tịnh Hà"]])
    login_as("leader")
    assert client.get("/admin/groups/").status_code == 403
    assert client.get(f"/admin/groups/{group.id}").status_code == 403
    assert client.post("/admin/groups/new", data={}).status_code == 403


def test_a_unit_that_is_not_a_group_has_no_group_page(client, login_as, board):
    login_as("admin")
    assert client.get(f"/admin/groups/{board['HND'].id}").status_code == 404
    assert client.get("/admin/groups/99999").status_code == 404


# ---- fan-out to the members --------------------------------------------------------

def test_a_task_given_to_a_group_fans_out_to_its_members(db, board, make_group,
                                                         make_task):
    communes = make_group("Các cơ sở", "Các cơ sở",
                          [board["ĐU Tịnh Hà"], board["ĐU Tịnh Trà"]])
    bloc = make_group("Khối Dân vận", "Khối DV", [board["MTTQ"], board["HND"]])
    task = make_task(lead=communes, coordinating=[bloc], title="Đối thoại ở xã")
    assert _links(task) == {
        "ĐU Tịnh Hà": ("participating", communes.id),
        "ĐU Tịnh Trà": ("participating", communes.id),
        "Khối DV": ("coordinating", None),
        "MTTQ": ("coordinating", bloc.id),
        "HND": ("coordinating", bloc.id),
    }
    # The task names the groups, not their members one by one.
    assert [unit.short_name for unit in task.coordinating_units] == ["Khối DV"]
    assert task.own_participants_links == []
    assert task.share_counts() == (0, 2)


def test_a_unit_chosen_itself_keeps_its_own_part(db, board, make_group, make_task):
    bloc = make_group("Khối Dân vận", "Khối DV", [board["MTTQ"], board["HND"]])
    task = make_task(lead=board["MTTQ"], coordinating=[bloc],
                     participating=[board["HND"]])
    assert _links(task) == {"Khối DV": ("coordinating", None),
                            "HND": ("participating", None)}


def test_editing_keeps_the_members_shares(db, board, make_group, make_task):
    communes = make_group("Các cơ sở", "Các cơ sở",
                          [board["ĐU Tịnh Hà"], board["ĐU Tịnh Trà"]])
    task = make_task(lead=communes)
    link = next(link for link in task.unit_links
                if link.unit_id == board["ĐU Tịnh Hà"].id)
    services.report_share(link, "done", dt.date(2023, 5, 2), "Đã đối thoại.", None)
    db.session.commit()
    services.update_task(task, {"title": "Đối thoại với nhân dân"}, None,
                         co_lead=[board["BDV"].id])
    db.session.commit()
    db.session.expire_all()
    task = db.session.get(Task, task.id)
    shares = {link.unit.short_name: link.share_status for link in task.unit_links
              if link.role == "participating"}
    assert shares == {"ĐU Tịnh Hà": "done", "ĐU Tịnh Trà": "not_started"}
    [edit] = [u for u in task.updates if u.action == "edited"]
    # The history names the chosen units; the members come with their group.
    assert edit.changes["co_lead"] == [[], ["BDV"]]
    assert "participating" not in edit.changes


def test_the_task_form_offers_groups_to_lead_not_to_take_a_share(
    client, login_as, db, board, make_group, make_quarter
):
    group = make_group("Các cơ sở", "Các cơ sở", [board["ĐU Tịnh Hà"]])
    quarter = make_quarter(2023, 2)
    login_as("leader")
    form = page_text(client.get(f"/tasks/new?quarter={quarter.key}"))
    assert 'name="lead_unit_id"' in form
    assert f'name="co_lead" type="checkbox" value="{group.id}"' in form
    assert f'name="participating" type="checkbox" value="{group.id}"' not in form
    response = client.post(f"/tasks/new?quarter={quarter.key}", data={
        "kind": "dialogue", "title": "Bí thư Đảng ủy xã đối thoại với nhân dân",
        "lead_unit_id": str(group.id), "co_lead": [str(board["BDV"].id)]})
    assert response.status_code == 302, page_text(response)[:3000]
    task = db.session.scalar(db.select(Task))
    page = page_text(client.get(f"/tasks/{task.id}"))
    assert "Các cơ sở" in page and 'id="co-leads"' in page
    board_page = page_text(client.get(f"/quarters/{quarter.key}/"))
    assert "Các cơ sở, BDV" in board_page


# ---- co-leads --------------------------------------------------------------------

def test_each_co_leads_staff_may_report_on_the_whole_task(db, board, make_task,
                                                          make_user):
    task = make_task(lead=board["MTTQ"], title="Ngày vì người nghèo")
    services.update_task(task, {}, None, co_lead=[board["HND"].id])
    db.session.commit()
    assert _links(task) == {"HND": ("co_lead", None)}
    co_lead_staff = make_user("hnd", units=[board["HND"]])
    other_staff = make_user("phunu", units=[board["HLHPN"]])
    assert policy.can_report_progress(co_lead_staff, task)
    assert policy.can_edit_task(co_lead_staff, task)
    assert policy.can_request_extension(co_lead_staff, task)
    assert policy.reports_on_behalf(co_lead_staff, task) is None
    assert not policy.can_report_progress(other_staff, task)


def test_a_co_lead_may_report_through_the_page(client, login_as, db, board,
                                               make_task):
    task = make_task(lead=board["MTTQ"], title="Ngày vì người nghèo")
    services.update_task(task, {}, None, co_lead=[board["HND"].id])
    db.session.commit()
    login_as("staff", units=[board["HND"]])
    response = client.post(f"/tasks/{task.id}/status", data={
        "status": "in_progress", "progress": "40", "note": "Đã phát động."})
    assert response.status_code == 302, page_text(response)[:2000]
    db.session.expire_all()
    assert db.session.get(Task, task.id).progress == 40


def test_a_co_lead_is_refused_as_the_lead_or_with_another_part(
    client, login_as, db, board, make_quarter
):
    quarter = make_quarter(2023, 2)
    login_as("leader")
    for extra in ({"co_lead": [str(board["BDV"].id)]},
                  {"co_lead": [str(board["HND"].id)],
                   "coordinating": [str(board["HND"].id)]}):
        response = client.post(f"/tasks/new?quarter={quarter.key}", data={
            "kind": "other", "title": "Việc", "lead_unit_id": str(board["BDV"].id),
            **extra})
        assert response.status_code == 400
    assert db.session.scalar(db.select(Task)) is None


# ---- figures -------------------------------------------------------------------------

def test_figures_count_members_once_and_each_co_lead(db, board, make_group, make_task,
                                                     make_quarter):
    quarter = make_quarter(2023, 2)
    communes = make_group("Các cơ sở", "Các cơ sở",
                          [board["ĐU Tịnh Hà"], board["ĐU Tịnh Trà"]])
    bloc = make_group("Khối Dân vận", "Khối DV", [board["MTTQ"], board["HND"]])
    dialogue = make_task(quarter=quarter, lead=communes, coordinating=[bloc],
                         title="Đối thoại")
    link = next(link for link in dialogue.unit_links
                if link.unit_id == board["ĐU Tịnh Hà"].id)
    services.report_share(link, "done", dt.date(2023, 5, 2), "Xong.", None)
    campaign = make_task(quarter=quarter, lead=board["MTTQ"], title="Vận động")
    services.update_task(campaign, {}, None, co_lead=[board["HND"].id, bloc.id])
    db.session.commit()
    figures = quarter_figures(quarter)
    rows = {row["short_name"]: row for row in figures["units"]}
    # Neither group has a row: its members' own rows hold what it was given.
    assert "Các cơ sở" not in rows and "Khối DV" not in rows
    assert (rows["ĐU Tịnh Hà"]["shares"], rows["ĐU Tịnh Hà"]["done"]) == (1, 1), \
        (rows["ĐU Tịnh Hà"], figures["tasks"])
    assert rows["ĐU Tịnh Trà"]["shares"] == 1
    # MTTQ leads the campaign and coordinates the dialogue through the bloc; HND
    # co-leads the campaign; the bloc, co-leading too, gives them nothing more.
    assert (rows["MTTQ"]["led"], rows["MTTQ"]["coordinated"]) == (1, 1)
    assert (rows["HND"]["led"], rows["HND"]["coordinated"]) == (1, 1)
    assert figures["total"] == 2
    [entry] = [t for t in figures["tasks"] if t["id"] == campaign.id]
    assert sorted(entry["co_leads"]) == sorted([board["HND"].id, bloc.id])


def test_a_co_lead_group_gives_its_members_shares(db, board, make_group, make_task):
    bloc = make_group("Khối Dân vận", "Khối DV", [board["MTTQ"], board["HND"]])
    task = make_task(lead=board["BDV"])
    services.update_task(task, {}, None, co_lead=[bloc.id])
    db.session.commit()
    assert _links(task) == {"Khối DV": ("co_lead", None),
                            "MTTQ": ("participating", bloc.id),
                            "HND": ("participating", bloc.id)}
    assert [unit.short_name for unit in task.lead_units] == ["BDV", "Khối DV"]
    assert task.lead_names == "Ban Dân vận Huyện ủy; Khối Dân vận"
    assert db.session.scalar(db.select(db.func.count()).select_from(TaskUnit)) == 3


def test_a_carried_task_still_names_its_group(db, board, make_group, make_task,
                                              make_quarter, make_user):
    """The close copies the members' links with the group they came through."""
    from tracker.quarters.rollover import close_quarter

    quarter = make_quarter(2023, 1, state="active")
    communes = make_group("Các cơ sở", "Các cơ sở",
                          [board["ĐU Tịnh Hà"], board["ĐU Tịnh Trà"]])
    task = make_task(quarter=quarter, lead=communes, title="Đối thoại ở xã",
                     status="in_progress", progress=50)
    result = close_quarter(quarter, {}, make_user("truongban", role="leader"))
    db.session.commit()
    [copy] = result.carried
    db.session.expire_all()
    copy = db.session.get(Task, copy.id)
    assert copy.carried_from_id == task.id
    assert _links(copy) == {
        "ĐU Tịnh Hà": ("participating", communes.id),
        "ĐU Tịnh Trà": ("participating", communes.id),
    }
    assert copy.own_participants_links == []


def test_the_next_quarter_planned_from_this_one_keeps_groups_and_co_leads(
        client, login_as, db, board, make_group, make_task, make_quarter):
    quarter = make_quarter(2023, 1, state="active")
    q2 = make_quarter(2023, 2, state="planning")
    communes = make_group("Các cơ sở", "Các cơ sở",
                          [board["ĐU Tịnh Hà"], board["ĐU Tịnh Trà"]])
    task = make_task(quarter=quarter, lead=communes, title="Đối thoại ở xã")
    services.update_task(task, {}, None, co_lead=[board["BDV"].id])
    db.session.commit()
    login_as("leader")
    response = client.post("/quarters/2023-Q1/plan-next/confirm",
                           data={"task": [str(task.id)]})
    assert response.status_code == 302, page_text(response)[:2000]
    db.session.expire_all()
    [copy] = db.session.scalars(db.select(Task).where(Task.quarter_id == q2.id)).all()
    assert _links(copy) == {
        "BDV": ("co_lead", None),
        "ĐU Tịnh Hà": ("participating", communes.id),
        "ĐU Tịnh Trà": ("participating", communes.id),
    }


# ---- a change of members reaches the open tasks at once ------------------------------

def _save_members(client, group, members):
    """Post the group's form with the given members; return the response."""
    return client.post(f"/admin/groups/{group.id}", data={
        "name": group.name, "short_name": group.short_name,
        "sort_order": str(group.sort_order),
        "members": [str(unit.id) for unit in members]})


def _fresh(db, task):
    db.session.expire_all()
    return db.session.get(Task, task.id)


def _group_rows(task):
    return [update for update in task.updates
            if update.action == "edited" and "via_group" in (update.changes or {})]


def test_a_new_member_gets_its_part_in_the_open_tasks_at_once(
        client, login_as, db, board, make_group, make_task, make_quarter, make_user):
    quarter = make_quarter(2023, 2, state="active")
    planning = make_quarter(2023, 3, state="planning")
    bloc = make_group("Khối Dân vận", "Khối DV", [board["MTTQ"], board["HND"]])
    coordinated = make_task(quarter=quarter, lead=board["BDV"], coordinating=[bloc],
                            title="Vận động ủng hộ Quỹ vì người nghèo")
    led = make_task(quarter=planning, lead=bloc, title="Hội nghị Khối Dân vận")
    version = led.version
    staff = make_user("phunu", units=[board["HLHPN"]])
    admin = login_as("admin")
    response = _save_members(client, bloc,
                             [board["MTTQ"], board["HND"], board["HLHPN"]])
    assert response.status_code == 302, page_text(response)[:2000]
    # The new member's staff are told, as when a task's edit gives a unit its part.
    notices = db.session.scalars(db.select(Notification).where(
        Notification.user_id == staff.id)).all()
    assert sorted((notice.task_id, notice.kind) for notice in notices) == sorted(
        [(coordinated.id, "task_assigned"), (led.id, "share_assigned")])

    coordinated, led = _fresh(db, coordinated), _fresh(db, led)
    assert _links(coordinated)["HLHPN"] == ("coordinating", bloc.id)
    # A lead group's members each carry out and report a share of their own.
    [share] = [link for link in led.unit_links if link.unit.short_name == "HLHPN"]
    assert (share.role, share.via_group_id, share.share_status) == (
        "participating", bloc.id, "not_started")
    assert share.given_at is not None
    assert led.share_counts() == (0, 3)
    assert led.version == version + 1  # an edit form shown before is now stale
    for task, role in ((coordinated, "coordinating"), (led, "participating")):
        [row] = _group_rows(task)
        assert row.user_id == admin.id
        assert row.changes == {"via_group": "Khối DV",
                               role: [["HND", "MTTQ"], ["HLHPN", "HND", "MTTQ"]]}
    # The task's history says it like any other change of its units.
    history = visible_text(client.get(f"/tasks/{coordinated.id}"))
    assert "Qua khối: Khối Dân vận" in history
    assert ("Đơn vị phối hợp: Hội Nông dân huyện, Ủy ban MTTQ huyện → Hội Liên hiệp "
            "Phụ nữ huyện, Hội Nông dân huyện, Ủy ban MTTQ huyện") in history
    assert admin.display_name in history


def test_a_former_member_loses_the_part_it_had_through_the_group(
        client, login_as, db, board, make_group, make_task, make_quarter):
    quarter = make_quarter(2023, 2, state="active")
    communes = make_group("Các cơ sở", "Các cơ sở",
                          [board["ĐU Tịnh Hà"], board["ĐU Tịnh Trà"]])
    task = make_task(quarter=quarter, lead=communes, title="Đối thoại ở xã")
    admin = login_as("admin")
    response = _save_members(client, communes, [board["ĐU Tịnh Hà"]])
    assert response.status_code == 302
    task = _fresh(db, task)
    assert _links(task) == {"ĐU Tịnh Hà": ("participating", communes.id)}
    [row] = _group_rows(task)
    assert row.user_id == admin.id
    assert row.changes == {"via_group": "Các cơ sở", "participating": [
        ["ĐU Tịnh Hà", "ĐU Tịnh Trà"], ["ĐU Tịnh Hà"]]}
    history = visible_text(client.get(f"/tasks/{task.id}"))
    assert "Qua khối: Các cơ sở" in history
    assert "Đảng ủy xã Tịnh Hà, Đảng ủy xã Tịnh Trà → Đảng ủy xã Tịnh Hà" in history


def test_a_former_member_that_has_reported_keeps_its_share_and_is_named(
        client, login_as, db, board, make_group, make_task, make_quarter):
    quarter = make_quarter(2023, 2, state="active")
    members = [board["ĐU Tịnh Hà"], board["ĐU Tịnh Trà"], board["HND"]]
    communes = make_group("Các cơ sở", "Các cơ sở", members)
    reported = make_task(quarter=quarter, lead=communes, title="Đối thoại ở xã")
    noted = make_task(quarter=quarter, lead=communes, title="Tiếp xúc cử tri")
    untouched = make_task(quarter=quarter, lead=communes, title="Hội nghị dân vận")
    services.report_share(next(link for link in reported.unit_links
                               if link.unit_id == board["ĐU Tịnh Trà"].id),
                          "done", dt.date(2023, 5, 2), "Đã đối thoại.", None)
    # A note alone is a report too.
    services.report_share(next(link for link in noted.unit_links
                               if link.unit_id == board["HND"].id),
                          "not_started", None, "Chờ kế hoạch của xã.", None)
    db.session.commit()
    login_as("admin")
    response = _save_members(client, communes, [board["ĐU Tịnh Hà"]])
    assert response.status_code == 302
    reported, noted = _fresh(db, reported), _fresh(db, noted)
    untouched = db.session.get(Task, untouched.id)
    # Kept as the unit's own part, with what it reported.
    assert _links(reported) == {"ĐU Tịnh Hà": ("participating", communes.id),
                                "ĐU Tịnh Trà": ("participating", None)}
    [kept] = [link for link in reported.unit_links
              if link.unit_id == board["ĐU Tịnh Trà"].id]
    assert (kept.share_status, kept.share_note) == ("done", "Đã đối thoại.")
    assert _links(noted) == {"ĐU Tịnh Hà": ("participating", communes.id),
                             "HND": ("participating", None)}
    assert _links(untouched) == {"ĐU Tịnh Hà": ("participating", communes.id)}
    [row] = _group_rows(reported)
    assert row.changes == {
        "via_group": "Các cơ sở",
        "participating": [["HND", "ĐU Tịnh Hà", "ĐU Tịnh Trà"], ["ĐU Tịnh Hà"]],
        "kept": ["ĐU Tịnh Trà"]}
    # The page after saving names the tasks where a former member kept its part.
    page = visible_text(client.get("/admin/groups/"))
    assert "đã báo cáo phần việc" in page
    assert "“Đối thoại ở xã” (ĐU Tịnh Trà)" in page
    assert "“Tiếp xúc cử tri” (HND)" in page
    assert "Hội nghị dân vận" not in page
    assert "Đã cập nhật 3 công việc" in page  # each task changed
    # The next edit of the task keeps the share: the unit is now named itself.
    services.update_task(reported, {"title": "Đối thoại với nhân dân ở xã"}, None,
                         participating=[board["ĐU Tịnh Trà"].id])
    db.session.commit()
    assert _fresh(db, reported).share_counts() == (1, 2)


def test_a_member_linked_itself_keeps_its_own_link(
        client, login_as, db, board, make_group, make_task, make_quarter):
    quarter = make_quarter(2023, 2, state="active")
    bloc = make_group("Khối Dân vận", "Khối DV", [board["MTTQ"], board["HND"]])
    task = make_task(quarter=quarter, lead=board["BDV"], coordinating=[bloc],
                     participating=[board["HND"]])
    other = make_task(quarter=quarter, lead=board["BDV"], coordinating=[bloc],
                      participating=[board["HLHPN"]])
    login_as("admin")
    # HND leaves the bloc; HLHPN joins it.
    assert _save_members(client, bloc, [board["MTTQ"], board["HLHPN"]]).status_code \
        == 302
    task, other = _fresh(db, task), _fresh(db, other)
    assert _links(task) == {"Khối DV": ("coordinating", None),
                            "MTTQ": ("coordinating", bloc.id),
                            "HND": ("participating", None),
                            "HLHPN": ("coordinating", bloc.id)}
    assert _links(other) == {"Khối DV": ("coordinating", None),
                             "MTTQ": ("coordinating", bloc.id),
                             "HLHPN": ("participating", None)}
    # The unit chosen itself keeps its own part: the group gives it nothing more.
    [row] = _group_rows(other)
    assert row.changes == {"via_group": "Khối DV",
                           "coordinating": [["HND", "MTTQ"], ["MTTQ"]]}


def test_closed_quarters_and_other_boards_never_change(
        client, login_as, db, board, make_group, make_task, make_quarter):
    from tracker.models import Board, Quarter, TaskUpdate

    closed = make_quarter(2023, 1, state="active")
    bloc = make_group("Khối Dân vận", "Khối DV", [board["MTTQ"], board["HND"]])
    old = make_task(quarter=closed, lead=bloc, title="Việc quý I")
    closed.state = "closed"
    other_board = Board(code="binh-son", name="Ban Dân vận Bình Sơn", level="district")
    db.session.add(other_board)
    db.session.flush()
    elsewhere = Quarter(year=2023, number=2, state="active", board_id=other_board.id)
    db.session.add(elsewhere)
    db.session.commit()
    foreign = make_task(quarter=elsewhere, lead=bloc, title="Việc của Bình Sơn")
    rows_before = db.session.scalar(db.select(db.func.count()).select_from(
        TaskUpdate))
    login_as("admin")
    assert "công việc của quý đang mở" not in visible_text(
        client.get(f"/admin/groups/{bloc.id}"))
    response = _save_members(client, bloc, [board["HLHPN"]])
    assert response.status_code == 302
    for task in (old, foreign):
        task = _fresh(db, task)
        assert _links(task) == {"MTTQ": ("participating", bloc.id),
                                "HND": ("participating", bloc.id)}
    assert db.session.scalar(db.select(db.func.count()).select_from(
        TaskUpdate)) == rows_before
    group = db.session.get(Unit, bloc.id)
    assert [unit.short_name for unit in group.members] == ["HLHPN"]
    # Outside a request (no board in scope) the service keeps to the group's board.
    assert services.open_group_task_count(group) == 0
    synced = services.sync_group_members(group, None)
    assert (synced.changed, synced.kept) == ([], [])


def test_the_group_page_says_how_many_open_tasks_a_change_updates(
        client, login_as, db, board, make_group, make_task, make_quarter):
    active = make_quarter(2023, 2, state="active")
    planning = make_quarter(2023, 3, state="planning")
    closed = make_quarter(2023, 1, state="active")
    bloc = make_group("Khối Dân vận", "Khối DV", [board["MTTQ"], board["HND"]])
    make_task(quarter=active, lead=bloc)
    make_task(quarter=active, lead=board["BDV"], coordinating=[bloc])
    make_task(quarter=planning, lead=board["MTTQ"])  # not the group's
    task = make_task(quarter=planning, lead=board["BDV"])
    services.update_task(task, {}, None, co_lead=[bloc.id])
    make_task(quarter=closed, lead=bloc)
    closed.state = "closed"
    db.session.commit()
    login_as("admin")
    page = visible_text(client.get(f"/admin/groups/{bloc.id}"))
    assert ("Khối đang tham gia 3 công việc của quý đang mở; thay đổi thành viên "
            "sẽ cập nhật các công việc đó") in page


def test_boards_show_a_change_of_members_at_once(
        client, login_as, db, board, make_group, make_task, make_quarter):
    quarter = make_quarter(2023, 2, state="active")
    bloc = make_group("Khối Dân vận", "Khối DV", [board["MTTQ"]])
    make_task(quarter=quarter, lead=board["BDV"], coordinating=[bloc],
              title="Vận động ủng hộ Quỹ vì người nghèo")
    login_as("admin")
    address = f"/quarters/{quarter.key}/?unit={board['HND'].id}"
    assert "Vận động ủng hộ" not in visible_text(client.get(address))
    assert "Vận động ủng hộ" not in visible_text(client.get(address))  # cached
    assert _save_members(client, bloc, [board["MTTQ"], board["HND"]]).status_code \
        == 302
    client.get("/admin/groups/")  # the messages are shown (pages wait for them)
    assert "Vận động ủng hộ" in visible_text(client.get(address))


def test_the_statements_of_a_change_do_not_grow_with_the_tasks(
        db, board, make_group, make_task, make_quarter, make_user, count_queries):
    from tracker.admin.services import update_group

    quarter = make_quarter(2023, 2, state="active")
    admin = make_user("quantri", role="admin")
    blocs = [make_group(f"Khối {n}", f"K{n}", [board["MTTQ"], board["HND"]])
             for n in (1, 2)]
    for bloc, count in zip(blocs, (1, 6)):
        for n in range(count):
            make_task(quarter=quarter, lead=bloc if n % 2 else board["BDV"],
                      coordinating=[] if n % 2 else [bloc], title=f"Việc {n}")
    counts = []
    for bloc in blocs:
        db.session.expire_all()
        bloc = db.session.get(Unit, bloc.id)
        data = {"name": bloc.name, "short_name": bloc.short_name, "kind": "group",
                "parent_id": None, "sort_order": bloc.sort_order}
        with count_queries() as statements:
            _changes, synced = update_group(
                bloc, data, [board["HND"].id, board["HLHPN"].id], admin)
            db.session.commit()
        counts.append((len(synced.changed), len(statements)))
    (few, few_statements), (many, many_statements) = counts
    assert (few, many) == (1, 6)
    # Per task: its UPDATE (with its version check), its history row and the read
    # of who to tell (the notices); its links are read and written with the others'.
    per_task = (many_statements - few_statements) / (many - few)
    assert per_task <= 3, counts

"""A task's scope (địa bàn): the communes it is carried out in."""
import re

import pytest

from tests.helpers import page_text
from tracker.models import Task
from tracker.reports import phrases


@pytest.fixture
def places(make_unit):
    """Create the board's own unit, a mass organisation and two communes."""
    return {
        "BDV": make_unit("Ban Dân vận Huyện ủy", "BDV", kind="party_board"),
        "HND": make_unit("Hội Nông dân huyện", "HND"),
        "TH": make_unit("Đảng ủy xã Tịnh Hà", "ĐU Tịnh Hà",
                        kind="commune_party_committee"),
        "TT": make_unit("Đảng ủy xã Tịnh Trà", "ĐU Tịnh Trà",
                        kind="commune_party_committee"),
    }


def _form(lead, version, **extra):
    data = {"kind": "other", "title": "Nhân rộng mô hình", "lead_unit_id": str(lead.id),
            "version": str(version)}
    data.update(extra)
    return data


def test_create_with_scope(client, login_as, make_quarter, places, db):
    login_as("staff", units=[places["BDV"]])
    make_quarter(2023, 2)
    form = page_text(client.get("/tasks/new?quarter=2023-Q2"))
    assert "Địa bàn (xã)" in form
    # Only communes are offered.
    assert f'name="scope" type="checkbox" value="{places["TH"].id}"' in form
    assert f'name="scope" type="checkbox" value="{places["HND"].id}"' not in form
    response = client.post("/tasks/new?quarter=2023-Q2", data={
        "kind": "other", "title": "Nhân rộng mô hình",
        "lead_unit_id": str(places["BDV"].id),
        "scope": [str(places["TT"].id), str(places["TH"].id)]})
    assert response.status_code == 302
    task = db.session.scalar(db.select(Task))
    assert [unit.short_name for unit in task.scope_units] == ["ĐU Tịnh Hà", "ĐU Tịnh Trà"]
    text = " ".join(page_text(client.get(f"/tasks/{task.id}")).split())
    assert "Đảng ủy xã Tịnh Hà; Đảng ủy xã Tịnh Trà" in text


def test_edit_records_the_scope_in_the_history(client, login_as, make_task, places, db):
    login_as("staff", units=[places["BDV"]])
    task = make_task(lead=places["BDV"], title="Nhân rộng mô hình")
    response = client.post(f"/tasks/{task.id}/edit", data=_form(
        places["BDV"], task.version, scope=[str(places["TH"].id)]))
    assert response.status_code == 302
    db.session.expire_all()
    task = db.session.get(Task, task.id)
    assert [unit.short_name for unit in task.scope_units] == ["ĐU Tịnh Hà"]
    assert task.updates[0].changes == {"scope": [[], ["ĐU Tịnh Hà"]]}
    form = page_text(client.get(f"/tasks/{task.id}/edit"))
    inputs = re.findall(r'<input[^>]*name="scope"[^>]*>', form)
    assert len(inputs) == 2
    assert [tag for tag in inputs if "checked" in tag] == [
        tag for tag in inputs if f'value="{places["TH"].id}"' in tag]

    response = client.post(f"/tasks/{task.id}/edit", data=_form(
        places["BDV"], task.version, scope=[str(places["TT"].id)]))
    assert response.status_code == 302
    text = " ".join(page_text(client.get(f"/tasks/{task.id}")).split())
    assert "Địa bàn (xã): Đảng ủy xã Tịnh Hà → Đảng ủy xã Tịnh Trà" in text
    assert "Địa bàn (xã): ∅ → Đảng ủy xã Tịnh Hà" in text
    # Unchanged scope: no history row.
    db.session.expire_all()
    task = db.session.get(Task, task.id)
    count = len(task.updates)
    client.post(f"/tasks/{task.id}/edit", data=_form(
        places["BDV"], task.version, scope=[str(places["TT"].id)],
        due_on=task.due_on.isoformat()))
    db.session.expire_all()
    assert len(db.session.get(Task, task.id).updates) == count


@pytest.mark.parametrize("value", ["HND", "abc", "99999999999"])
def test_edit_refuses_a_unit_that_is_not_a_commune(client, login_as, make_task, places,
                                                   db, value):
    login_as("staff", units=[places["BDV"]])
    task = make_task(lead=places["BDV"])
    scope = str(places["HND"].id) if value == "HND" else value
    response = client.post(f"/tasks/{task.id}/edit",
                           data=_form(places["BDV"], task.version, scope=[scope]))
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Task, task.id).scope_units == []


def test_api_edit_leaves_the_scope(make_task, places, db):
    from tracker.tasks.services import update_task

    task = make_task(lead=places["BDV"])
    update_task(task, {"title": "Khác"}, None, scope=[places["TH"].id])
    update_task(task, {"title": "Khác nữa"}, None)
    db.session.commit()
    assert [unit.short_name for unit in task.scope_units] == ["ĐU Tịnh Hà"]


@pytest.fixture
def spread(make_task, places, db):
    """Tasks in Tịnh Hà by scope, by lead and by link, and one elsewhere."""
    tasks = {
        "scope": make_task(lead=places["BDV"], title="Mô hình tại xã"),
        "lead": make_task(lead=places["TH"], title="Xã tự làm"),
        "link": make_task(lead=places["HND"], title="Xã phối hợp",
                          coordinating=[places["TH"]]),
        "other": make_task(lead=places["HND"], title="Việc của hội"),
    }
    tasks["scope"].scope_units = [places["TH"], places["TT"]]
    db.session.commit()
    return tasks


def test_board_filter_by_commune(client, login_as, places, spread):
    login_as("viewer")
    text = page_text(client.get(f"/quarters/2023-Q2/?commune={places['TH'].id}"))
    for title in ("Mô hình tại xã", "Xã tự làm", "Xã phối hợp"):
        assert title in text
    assert "Việc của hội" not in text
    assert f'<option value="{places["TH"].id}" selected>' in text
    assert "Địa bàn: ĐU Tịnh Hà, ĐU Tịnh Trà" in " ".join(text.split())
    text = page_text(client.get(f"/quarters/2023-Q2/?commune={places['TT'].id}"))
    assert "Mô hình tại xã" in text and "Xã tự làm" not in text


@pytest.mark.parametrize("value", ["abc", "٣", "99999999999", "-1", ""])
def test_board_ignores_a_commune_it_does_not_know(client, login_as, places, spread,
                                                  value):
    login_as("viewer")
    response = client.get(f"/quarters/2023-Q2/?commune={value}")
    assert response.status_code == 200
    assert "Việc của hội" in page_text(response)


def test_board_ignores_a_unit_that_is_not_a_commune(client, login_as, places, spread):
    login_as("viewer")
    text = page_text(client.get(f"/quarters/2023-Q2/?commune={places['HND'].id}"))
    assert "Việc của hội" in text and "Mô hình tại xã" in text


def test_search_commune_filter_includes_the_scope(client, login_as, places, spread):
    login_as("viewer")
    text = page_text(client.get(f"/search?commune={places['TT'].id}"))
    assert "Mô hình tại xã" in text
    assert "Xã tự làm" not in text and "Việc của hội" not in text


def test_report_names_the_communes(places, spread, db):
    task = spread["scope"]
    sentence = phrases.result_sentence(task, task.quarter.cutoff(task.due_on),
                                       lead="Ban Dân vận Huyện ủy")
    assert "Nhân rộng" not in sentence
    assert "tại xã Tịnh Hà, Tịnh Trà" in sentence, sentence
    assert "tại" not in phrases.result_sentence(spread["other"], task.due_on)


def test_scope_phrase():
    assert phrases.scope_phrase([]) == ""
    assert phrases.scope_phrase(["Đảng ủy xã Tịnh Hà"]) == "tại xã Tịnh Hà"
    assert phrases.scope_phrase(["Đảng ủy xã A", "Đảng ủy thị trấn B"]) == (
        "tại xã A, thị trấn B")


def test_a_stale_form_does_not_undo_a_scope_change(client, login_as, make_task, places,
                                                   db):
    login_as("staff", units=[places["BDV"]])
    task = make_task(lead=places["BDV"], title="Nhân rộng mô hình")
    stale = page_text(client.get(f"/tasks/{task.id}/edit"))
    snapshot = stale.split('name="snapshot" type="hidden" value="')[1].split('"')[0]
    version = task.version
    assert client.post(f"/tasks/{task.id}/edit", data=_form(
        places["BDV"], version, snapshot=snapshot,
        scope=[str(places["TH"].id)])).status_code == 302
    response = client.post(f"/tasks/{task.id}/edit", data=_form(
        places["BDV"], version, snapshot=snapshot, title="Tên mới"))
    assert response.status_code == 409
    assert "Địa bàn (xã)" in page_text(response)
    db.session.expire_all()
    assert [u.short_name for u in db.session.get(Task, task.id).scope_units] == [
        "ĐU Tịnh Hà"]

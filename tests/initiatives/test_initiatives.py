"""The "Dân vận khéo" registry: registered, moved on with history, listed, guarded."""
import datetime as dt

import pytest
from sqlalchemy import select

from tests.helpers import page_text
from tracker.auth import policy
from tracker.initiatives import services
from tracker.models import Board
from tracker.models.initiative import Initiative, InitiativeUpdate

D = dt.date


@pytest.fixture
def units(make_unit):
    """Return two registering units: the farmers' association and a commune."""
    return (make_unit("Hội Nông dân huyện Sơn Tịnh", "HND"),
            make_unit("Đảng ủy xã Tịnh Trà", "ĐU Tịnh Trà",
                      kind="commune_party_committee"))


def _model(db, unit, user=None, **extra):
    data = dict(name="Vận động hiến đất làm đường", field="economy",
                unit_id=unit.id, commune="Tịnh Hiệp", year=2023,
                beneficiaries="Hộ dân thôn Phước Lộc", registered_on=D(2023, 1, 16))
    data.update(extra)
    initiative = services.create_initiative(data, user)
    db.session.commit()
    return initiative


def test_a_model_goes_from_registered_to_recognised_with_history(db, units,
                                                                 make_user):
    hnd, _ = units
    staff = make_user("canbo", units=[hnd])
    leader = make_user("lanhdao", role="leader")
    model = _model(db, hnd, staff)
    services.advance(model, staff, "building", D(2023, 2, 1))
    services.advance(model, staff, "reviewed", D(2023, 3, 10), "Đoàn kiểm tra")
    services.advance(model, leader, "recognised", D(2023, 3, 28), level="district",
                     decision_number="215-QĐ/HU")
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Initiative, model.id)
    assert (stored.state, stored.level, stored.decision_number, stored.recognised_on) \
        == ("recognised", "district", "215-QĐ/HU", D(2023, 3, 28))
    assert stored.settled_at is not None and stored.is_final
    history = db.session.scalars(
        select(InitiativeUpdate).where(InitiativeUpdate.initiative_id == model.id)
        .order_by(InitiativeUpdate.id)).all()
    assert [(h.action, h.old_state, h.new_state, h.user_id) for h in history] == [
        ("created", None, "registered", staff.id),
        ("building", "registered", "building", staff.id),
        ("reviewed", "building", "reviewed", staff.id),
        ("recognised", "reviewed", "recognised", leader.id)]
    assert history[2].note == "Đoàn kiểm tra"


def test_registered_is_a_state_of_its_own_and_steps_follow_the_order(db, units):
    hnd, _ = units
    model = _model(db, hnd)
    assert model.state == "registered" and not model.is_final
    for bad in ("recognised", "reviewed", "registered", "nonsense"):
        with pytest.raises(services.StepError):
            services.advance(model, None, bad, D(2023, 2, 1), level="district",
                             decision_number="1")
    services.advance(model, None, "building", D(2023, 2, 1))
    services.advance(model, None, "reviewed", D(2023, 2, 2))
    with pytest.raises(services.StepError):  # recognition needs level and number
        services.advance(model, None, "recognised", D(2023, 2, 3))
    with pytest.raises(services.StepError):  # dropping needs a reason
        services.advance(model, None, "dropped", D(2023, 2, 3))
    services.advance(model, None, "dropped", D(2023, 2, 3), "Tổ hợp tác giải thể")
    assert model.is_final and model.drop_reason == "Tổ hợp tác giải thể"
    assert len(model.updates) == 4


def test_editing_records_what_changed(db, units):
    hnd, commune = units
    model = _model(db, hnd)
    changes = services.update_initiative(model, dict(
        name="Vận động hiến đất làm đường", unit_id=commune.id,
        commune="Tịnh Trà"), None)
    db.session.commit()
    assert changes == {"unit_id": [hnd.id, commune.id],
                       "commune": ["Tịnh Hiệp", "Tịnh Trà"]}
    assert model.updates[0].action == "edited"
    assert model.commune_folded == "tinh tra"
    assert services.update_initiative(model, dict(commune="Tịnh Trà"), None) == {}


def test_who_may_do_what(db, units, make_user, make_unit):
    hnd, commune = units
    staff = make_user("canbo", units=[hnd])
    stranger = make_user("khac", units=[commune])
    leader = make_user("lanhdao", role="leader")
    viewer = make_user("xem", role="viewer", units=[hnd])
    unattached = make_user("tudo")
    model = _model(db, hnd, staff)
    assert policy.can_record_initiative(staff) and policy.can_record_initiative(leader)
    assert not policy.can_record_initiative(viewer)
    assert not policy.can_record_initiative(unattached)
    assert policy.can_edit_initiative(staff, model)
    assert policy.can_edit_initiative(leader, model)
    assert not policy.can_edit_initiative(stranger, model)
    assert not policy.can_edit_initiative(viewer, model)
    services.advance(model, staff, "dropped", D(2023, 2, 1), "Không hiệu quả")
    assert not policy.can_edit_initiative(leader, model)


def test_registering_through_the_page(client, db, units, login_as):
    hnd, commune = units
    login_as("staff", units=[hnd])
    page = page_text(client.get("/initiatives/new"))
    assert f'value="{hnd.id}"' in page and f'value="{commune.id}"' not in page
    response = client.post("/initiatives/new", data={
        "name": "Chi hội phụ nữ “5 không, 3 sạch”", "field": "culture_society",
        "unit_id": hnd.id, "commune": "Tịnh Bắc", "year": "2023",
        "registered_on": "2023-02-01", "beneficiaries": "Hội viên"})
    assert response.status_code == 302
    stored = db.session.scalar(select(Initiative))
    assert stored.name == "Chi hội phụ nữ “5 không, 3 sạch”"
    assert stored.updates[0].action == "created"
    # Staff cannot register for a unit that is not theirs: refused, nothing stored.
    response = client.post("/initiatives/new?lang=en", data={
        "name": "Khác", "field": "economy", "unit_id": commune.id, "year": "2023",
        "registered_on": "2023-02-01"})
    assert response.status_code == 400 and "Not a valid choice" in page_text(response)
    assert db.session.scalar(select(db.func.count(Initiative.id))) == 1


def test_steps_through_the_page(client, db, units, login_as):
    hnd, _ = units
    model = _model(db, hnd)
    login_as("leader")
    assert 'id="step-form"' in page_text(client.get(f"/initiatives/{model.id}"))
    for data in ({"state": "building", "on": "2023-02-01"},
                 {"state": "reviewed", "on": "2023-03-01"},
                 {"state": "recognised", "on": "2023-03-28", "level": "district",
                  "decision_number": "215-QĐ/HU"}):
        assert client.post(f"/initiatives/{model.id}/step",
                           data=data).status_code == 302
    db.session.expire_all()
    stored = db.session.get(Initiative, model.id)
    assert stored.state == "recognised" and stored.decision_number == "215-QĐ/HU"
    page = page_text(client.get(f"/initiatives/{model.id}"))
    assert "215-QĐ/HU" in page and 'id="step-form"' not in page
    assert client.get(f"/initiatives/{model.id}/step").status_code == 302


@pytest.mark.parametrize("data, message", [
    ({"state": "reviewed", "on": "2023-02-01"},
     "The model cannot move to this state now."),
    ({"state": "building", "on": "2099-01-01"}, "The date cannot be in the future."),
    ({"state": "building", "on": "31/02/2023"}, "Enter the date."),
    ({"state": "dropped", "on": "2023-02-01", "note": "  "},
     "Write why the model is dropped."),
    ({"state": "x", "on": "2023-02-01"}, "Not a valid choice"),
])
def test_a_bad_step_is_refused_with_a_message(client, db, units, login_as, data,
                                              message):
    hnd, _ = units
    model = _model(db, hnd)
    login_as("leader")
    response = client.post(f"/initiatives/{model.id}/step?lang=en", data=data)
    assert response.status_code == 400
    assert message in page_text(response)
    db.session.expire_all()
    stored = db.session.get(Initiative, model.id)
    assert stored.state == "registered" and len(stored.updates) == 1


def test_recognition_needs_its_level_and_decision(client, db, units, login_as):
    hnd, _ = units
    model = _model(db, hnd)
    services.advance(model, None, "building", D(2023, 2, 1))
    services.advance(model, None, "reviewed", D(2023, 2, 2))
    db.session.commit()
    login_as("leader")
    response = client.post(f"/initiatives/{model.id}/step?lang=en", data={
        "state": "recognised", "on": "2023-03-01"})
    assert response.status_code == 400
    text = page_text(response)
    assert "Choose the level that recognised the model." in text
    assert "Enter the number of the decision." in text
    db.session.expire_all()
    assert db.session.get(Initiative, model.id).state == "reviewed"


@pytest.mark.parametrize("data, message", [
    ({"name": "", "year": "2023", "registered_on": "2023-02-01"},
     "Write the model's name."),
    ({"name": "X", "year": "1800", "registered_on": "2023-02-01"},
     "Enter a year between"),
    ({"name": "X", "year": "abc", "registered_on": "2023-02-01"},
     "Not a valid integer value."),
    ({"name": "X", "year": "", "registered_on": "2023-02-01"}, "Enter the year."),
    ({"name": "X", "year": "2023", "registered_on": "2021-02-01"},
     "The date must fall in the model's year."),
    ({"name": "X" * 301, "year": "2023", "registered_on": "2023-02-01"},
     "At most 300 characters."),
])
def test_a_bad_registration_is_refused(client, db, units, login_as, data, message):
    hnd, _ = units
    login_as("leader")
    data = dict(data, field="economy", unit_id=hnd.id)
    response = client.post("/initiatives/new?lang=en", data=data)
    assert response.status_code == 400
    assert message in page_text(response)
    assert db.session.scalar(select(db.func.count(Initiative.id))) == 0


def test_editing_through_the_page_is_for_the_unit_or_leaders(client, db, units,
                                                             login_as):
    hnd, commune = units
    model = _model(db, hnd)
    login_as("staff", units=[commune], username="canbo_xa")
    assert client.get(f"/initiatives/{model.id}/edit").status_code == 403
    assert client.post(f"/initiatives/{model.id}/step", data={
        "state": "building", "on": "2023-02-01"}).status_code == 403
    client.post("/logout")
    login_as("staff", units=[hnd], username="canbo_hnd")
    response = client.post(f"/initiatives/{model.id}/edit", data={
        "name": "Hiến đất mở đường", "field": "economy", "unit_id": hnd.id,
        "commune": "Tịnh Hiệp", "year": "2023", "registered_on": "2023-01-16"})
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Initiative, model.id)
    assert stored.name == "Hiến đất mở đường"
    assert stored.updates[0].changes == {
        "name": ["Vận động hiến đất làm đường", "Hiến đất mở đường"]}


def test_imported_counts_are_not_edited(client, db, units, login_as, make_task,
                                       make_quarter):
    hnd, _ = units
    task = make_task(quarter=make_quarter(2023, 1), lead=hnd, kind="movement",
                     title="Phong trào “Dân vận khéo”")
    rows = services.record_imported_counts(task, 46, 5)
    db.session.commit()
    assert [(row.state, row.count, row.quarter_id) for row in rows] == [
        ("recognised", 5, task.quarter_id), ("registered", 41, task.quarter_id)]
    login_as("leader")
    assert not policy.can_edit_initiative(None, rows[1])
    assert client.get(f"/initiatives/{rows[1].id}/edit").status_code == 403
    assert "41" in page_text(client.get(f"/initiatives/{rows[1].id}"))


def test_the_list_filters(client, db, units, login_as):
    hnd, commune = units
    first = _model(db, hnd)
    _model(db, commune, name="Tổ tự quản an ninh trật tự", field="defence_security",
           commune="Tịnh Trà", year=2024, registered_on=D(2024, 1, 10))
    recognised = _model(db, hnd, name="Cánh đồng mẫu lớn", commune="Tịnh Hà")
    for state in ("building", "reviewed"):
        services.advance(recognised, None, state, D(2023, 2, 1))
    services.advance(recognised, None, "recognised", D(2023, 3, 1), level="province",
                     decision_number="12-QĐ/TU")
    db.session.commit()
    login_as("staff", units=[hnd])
    page = page_text(client.get("/initiatives/"))
    assert f'id="initiative-{first.id}"' in page and "Cánh đồng mẫu lớn" in page

    def listed(query):
        return page_text(client.get("/initiatives/?" + query)).count(
            'class="list-group-item initiative-item')

    assert listed("") == 3
    assert listed("state=recognised") == 1
    assert listed("state=registered") == 2
    assert listed("field=defence_security") == 1
    assert listed(f"unit={commune.id}") == 1
    assert listed("unit=mine") == 2
    assert listed("commune=tinh+ha") == 1
    assert listed("commune=Tịnh+Trà") == 1
    assert listed("year=2024") == 1
    assert listed("year=2023&field=economy&state=recognised") == 1
    # Values that mean nothing are ignored, never a 500.
    for query in ("state=x&field=y&unit=z&year=abc&page=abc", "year=99999999999",
                  "unit=99999999999999999999"):
        assert client.get("/initiatives/?" + query).status_code == 200
    assert client.get("/initiatives/?commune=%00").status_code < 500


def test_the_unit_page_lists_its_models(client, db, units, login_as):
    hnd, commune = units
    _model(db, hnd)
    _model(db, commune, name="Tổ tự quản an ninh trật tự")
    login_as("viewer")
    page = page_text(client.get(f"/units/{hnd.id}"))
    assert 'id="unit-initiatives"' in page
    assert "Vận động hiến đất làm đường" in page
    assert "Tổ tự quản an ninh trật tự" not in page


def test_the_list_costs_the_same_for_more_rows(client, db, units, login_as,
                                               count_queries):
    hnd, commune = units
    login_as("leader")
    _model(db, hnd)
    client.get("/initiatives/")
    with count_queries() as few:
        client.get("/initiatives/")
    for n in range(15):
        model = _model(db, commune if n % 2 else hnd, name=f"Mô hình {n}",
                       commune=f"Xã {n}")
        services.advance(model, None, "building", D(2023, 2, 1))
    db.session.commit()
    with count_queries() as many:
        client.get("/initiatives/")
    assert len(many) == len(few)


def test_another_boards_models_are_not_seen(client, db, units, login_as):
    from tracker.boards import scope

    hnd, _ = units
    _model(db, hnd, name="Của ban này")
    other = Board(code="khac", name="Ban khác", level="district")
    db.session.add(other)
    db.session.flush()
    with scope.boards([other.id]):
        foreign = services.create_initiative(dict(
            name="Của ban khác", field="economy", unit_id=None, year=2023,
            registered_on=D(2023, 1, 5)), None)
    db.session.commit()
    assert foreign.board_id == other.id
    login_as("leader")
    page = page_text(client.get("/initiatives/"))
    assert "Của ban này" in page and "Của ban khác" not in page
    assert client.get(f"/initiatives/{foreign.id}").status_code == 404
    assert client.post(f"/initiatives/{foreign.id}/step", data={
        "state": "building", "on": "2023-02-01"}).status_code == 404
    assert client.post(f"/initiatives/{foreign.id}/edit", data={
        "name": "x", "field": "economy", "year": "2023",
        "registered_on": "2023-02-01"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Initiative, foreign.id).state == "registered"

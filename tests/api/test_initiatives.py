"""The "Dân vận khéo" registry through the API: the pages' services, forms and rules."""
import datetime as dt

import pytest
from sqlalchemy import select

from tests.helpers import page_text
from tracker.initiatives.services import create_initiative, record_imported_counts
from tracker.models.initiative import Initiative, InitiativeUpdate

MODEL = {"name": "Tổ tự quản an ninh trật tự", "field": "defence_security",
         "commune": "Tịnh Hà", "year": 2023, "registered_on": "2023-04-10",
         "beneficiaries": "120 hộ dân"}


@pytest.fixture
def registry(staff_setup, make_user, make_token, db):
    """Return the commune's staff, a leader's token and one model of each unit."""
    leader = make_user("lanhdao", role="leader")
    own = create_initiative(dict(
        name="Hiến đất mở đường", field="economy", unit_id=staff_setup["unit"].id,
        commune="Tịnh Hà", year=2023, registered_on=dt.date(2023, 3, 2)), leader)
    other = create_initiative(dict(
        name="Dân vận khéo trong thu gom rác", field="culture_society",
        unit_id=staff_setup["other_unit"].id, commune="Tịnh Sơn", year=2022,
        registered_on=dt.date(2022, 5, 2)), leader)
    db.session.commit()
    return dict(staff_setup, leader=make_token(leader), model=own, other_model=other)


def test_a_model_is_registered_as_the_page_registers_it(api, registry, db):
    token = registry["token"]
    response = api("POST", "/api/v1/initiatives", token,
                   json=dict(MODEL, unit_id=registry["unit"].id))
    assert response.status_code == 201, response.json
    created = response.json
    assert created["state"] == "registered"
    assert created["next_states"] == ["building", "dropped"]
    assert created["unit"]["id"] == registry["unit"].id
    assert response.headers["Location"].endswith(f"/api/v1/initiatives/{created['id']}")
    assert response.headers["ETag"] == f'"initiative-{created["id"]}-v1"'
    assert response.headers["Last-Modified"]
    row = db.session.get(Initiative, created["id"])
    assert (row.name, row.commune, row.beneficiaries) == (
        "Tổ tự quản an ninh trật tự", "Tịnh Hà", "120 hộ dân")
    [history] = created["history"]
    assert (history["action"], history["via"]) == ("created", "api")
    assert history["user"]["username"] == "canbo_xa"


@pytest.mark.parametrize("change,field", [
    ({"name": "   "}, "name"),
    ({"registered_on": "2020-01-01"}, "registered_on"),  # outside the model's year
    ({"registered_on": "2100-01-01", "year": 2100}, "registered_on"),  # future
    ({"year": 1999}, "year"),
    ({"field": "sport"}, "field"),
])
def test_a_model_the_form_refuses_is_refused_with_its_messages(api, registry, db,
                                                               change, field):
    body = dict(MODEL, unit_id=registry["unit"].id, **change)
    response = api("POST", "/api/v1/initiatives", registry["token"], json=body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.json["errors"]
    assert db.session.scalar(select(Initiative).where(
        Initiative.name == "Tổ tự quản an ninh trật tự")) is None


def test_staff_register_only_for_their_units(api, registry, db):
    response = api("POST", "/api/v1/initiatives", registry["token"],
                   json=dict(MODEL, unit_id=registry["other_unit"].id))
    assert response.status_code == 422 and "unit_id" in response.json["errors"]
    # Nor move another unit's model to theirs, or correct it at all.
    path = f"/api/v1/initiatives/{registry['other_model'].id}"
    assert api("PATCH", path, registry["token"], headers={"If-Match": "*"},
               json={"name": "Của xã"}).status_code == 403
    own = f"/api/v1/initiatives/{registry['model'].id}"
    moved = api("PATCH", own, registry["token"], headers={"If-Match": "*"},
                json={"unit_id": registry["other_unit"].id})
    assert moved.status_code == 422 and "unit_id" in moved.json["errors"]
    assert db.session.get(Initiative, registry["model"].id).unit_id == \
        registry["unit"].id


def test_patch_changes_only_what_is_sent_and_needs_if_match(api, registry, db):
    token = registry["token"]
    path = f"/api/v1/initiatives/{registry['model'].id}"
    read = api("GET", path, token)
    etag = read.headers["ETag"]
    assert api("PATCH", path, token, json={"name": "Sửa"}).status_code == 428
    stale = api("PATCH", path, token, headers={"If-Match": '"initiative-1-v99"'},
                json={"name": "Sửa"})
    assert stale.status_code == 412 and stale.mimetype == "application/problem+json"
    edited = api("PATCH", path, token, headers={"If-Match": etag},
                 json={"beneficiaries": "Thôn Thọ Lộc Tây"})
    assert edited.status_code == 200, edited.json
    assert edited.json["changed"] == {"beneficiaries": ["", "Thôn Thọ Lộc Tây"]}
    model = edited.json["initiative"]
    assert model["name"] == "Hiến đất mở đường" and model["commune"] == "Tịnh Hà"
    assert model["history"][0]["action"] == "edited"
    assert model["history"][0]["via"] == "api"
    assert edited.headers["ETag"] != etag
    # The ETag read before the change is stale now.
    assert api("PATCH", path, token, headers={"If-Match": etag},
               json={"name": "Lần nữa"}).status_code == 412
    # Nothing to change writes no history.
    same = api("PATCH", path, token, headers={"If-Match": edited.headers["ETag"]},
               json={"commune": "Tịnh Hà"})
    assert same.status_code == 200 and same.json["changed"] == {}
    assert len(db.session.scalars(select(InitiativeUpdate).where(
        InitiativeUpdate.initiative_id == registry["model"].id)).all()) == 2


def test_the_steps_follow_the_pages_rules_to_recognition(api, client, login_as,
                                                         registry, db):
    token = registry["token"]
    model_id = registry["model"].id
    path = f"/api/v1/initiatives/{model_id}"

    def step(body):
        etag = api("GET", path, token).headers["ETag"]
        return api("POST", path + "/step", token, headers={"If-Match": etag},
                   json=body)

    # Not from "registered" straight to "reviewed" or "recognised".
    skipped = step({"state": "reviewed", "on": "2023-05-01"})
    assert skipped.status_code == 422 and "state" in skipped.json["errors"]
    assert step({"state": "building", "on": "2023-05-01"}).status_code == 200
    reviewed = step({"state": "reviewed", "on": "2023-05-08"})
    assert reviewed.status_code == 200, reviewed.json
    # Recognition needs its level and the decision's number.
    bare = step({"state": "recognised", "on": "2023-05-12"})
    assert bare.status_code == 422
    assert {"level", "decision_number"} <= set(bare.json["errors"])
    future = step({"state": "recognised", "on": "2999-01-01", "level": "district",
                   "decision_number": "125-QĐ/HU"})
    assert future.status_code == 422 and "on" in future.json["errors"]
    done = step({"state": "recognised", "on": "2023-05-12", "level": "district",
                 "decision_number": "125-QĐ/HU"})
    assert done.status_code == 200, done.json
    model = done.json
    assert (model["state"], model["level"], model["decision_number"],
            model["recognised_on"]) == ("recognised", "district", "125-QĐ/HU",
                                        "2023-05-12")
    assert model["next_states"] == []
    assert [row["action"] for row in model["history"]] == [
        "recognised", "reviewed", "building", "created"]
    assert [row["via"] for row in model["history"]] == ["api", "api", "api", None]
    # Settled: no further step or edit, for anyone.
    assert api("POST", path + "/step", registry["leader"], headers={"If-Match": "*"},
               json={"state": "dropped", "on": "2023-07-01",
                     "note": "Thôi"}).status_code == 403
    assert api("PATCH", path, registry["leader"], headers={"If-Match": "*"},
               json={"name": "Sửa"}).status_code == 403
    # The page shows the steps made through the API.
    login_as("viewer")
    page = page_text(client.get(f"/initiatives/{model_id}"))
    assert "125-QĐ/HU" in page and ">API</span>" in page


def test_dropping_needs_its_reason(api, registry, db):
    path = f"/api/v1/initiatives/{registry['model'].id}/step"
    token = registry["token"]
    bare = api("POST", path, token, headers={"If-Match": "*"},
               json={"state": "dropped", "on": "2023-05-01"})
    assert bare.status_code == 422 and "note" in bare.json["errors"]
    dropped = api("POST", path, token, headers={"If-Match": "*"},
                  json={"state": "dropped", "on": "2023-05-01",
                        "note": "Xã sáp nhập"})
    assert dropped.status_code == 200
    assert (dropped.json["state"], dropped.json["drop_reason"],
            dropped.json["dropped_on"]) == ("dropped", "Xã sáp nhập", "2023-05-01")


def test_the_list_takes_the_pages_filters(api, registry, make_task, db):
    token = registry["token"]
    own, other = registry["model"].id, registry["other_model"].id

    def ids(query=""):
        response = api("GET", "/api/v1/initiatives" + query, token)
        assert response.status_code == 200, response.json
        return [item["id"] for item in response.json["items"]]

    assert ids() == [own, other]  # the newest year first
    assert ids("?unit=mine") == [own]
    assert ids(f"?unit={registry['other_unit'].id}") == [other]
    assert ids("?commune=tinh son") == [other]  # accents and case ignored
    assert ids("?year=2022") == [other]
    assert ids("?field=economy&state=registered") == [own]
    assert ids("?state=recognised") == []
    listed = api("GET", "/api/v1/initiatives", token).json
    assert (listed["page"], listed["pages"], listed["total"]) == (1, 1, 2)
    assert listed["by_state"] == {"registered": 2, "building": 0, "reviewed": 0,
                                  "recognised": 0, "dropped": 0}
    # Imported counts are listed, and settled: nobody edits them.
    record_imported_counts(registry["own"], 5, 2)
    db.session.commit()
    imported = db.session.scalar(select(Initiative).where(
        Initiative.is_imported.is_(True), Initiative.state == "recognised"))
    item = api("GET", f"/api/v1/initiatives/{imported.id}", token).json
    assert (item["is_imported"], item["count"], item["quarter"]) == (
        True, 2, "2023-Q2")
    assert api("GET", "/api/v1/initiatives?state=recognised",
               token).json["by_state"]["recognised"] == 2
    assert api("PATCH", f"/api/v1/initiatives/{imported.id}", registry["leader"],
               headers={"If-Match": "*"}, json={"name": "x"}).status_code == 403


@pytest.mark.parametrize("query", [
    "?state=lost", "?field=sport", "?unit=0", "?unit=2147483648", "?unit=%C2%B2",
    "?unit=12345678901", "?year=3000", "?year=abc", "?page=0", "?page=100001",
    "?commune=" + "x" * 201,
])
def test_a_bad_filter_is_refused_not_a_server_error(api, registry, query):
    response = api("GET", "/api/v1/initiatives" + query, registry["token"])
    assert response.status_code == 422, query
    assert response.mimetype == "application/problem+json"


def test_reads_answer_304_and_the_unknown_is_not_found(api, registry):
    path = f"/api/v1/initiatives/{registry['model'].id}"
    read = api("GET", path, registry["token"])
    again = api("GET", path, registry["token"],
                headers={"If-None-Match": read.headers["ETag"]})
    assert again.status_code == 304
    for missing in ("/api/v1/initiatives/2147483647",
                    "/api/v1/initiatives/2147483648"):
        response = api("GET", missing, registry["token"])
        assert response.status_code == 404
        assert response.mimetype == "application/problem+json"


def test_the_list_costs_the_same_statements_for_more_rows(api, registry, db,
                                                          count_queries):
    leader = db.session.scalar(select(InitiativeUpdate)).user

    def add(n):
        for index in range(n):
            create_initiative(dict(
                name=f"Mô hình {index}", field="economy",
                unit_id=registry["unit"].id, commune="Tịnh Hà", year=2023,
                registered_on=dt.date(2023, 4, 1)), leader)
        db.session.commit()

    with count_queries() as few:
        assert api("GET", "/api/v1/initiatives", registry["token"]).status_code == 200
    add(12)
    with count_queries() as many:
        response = api("GET", "/api/v1/initiatives", registry["token"])
    assert len(response.json["items"]) == 14
    assert len(many) == len(few)

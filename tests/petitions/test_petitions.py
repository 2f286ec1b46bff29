"""Petitions raised at dialogues: recorded, forwarded, answered or closed, listed."""
import datetime as dt

import pytest
from sqlalchemy import select

from tests.helpers import page_text
from tracker.auth import policy
from tracker.models import Board, Quarter, Task
from tracker.models.petition import Petition, PetitionUpdate
from tracker.petitions import services


@pytest.fixture
def dialogue(make_task, make_unit, make_quarter):
    """Return a dialogue task led by unit A, with unit B as an answering body."""
    quarter = make_quarter(2023, 2)
    lead = make_unit("Đảng ủy xã Tịnh Trà", "ĐU Tịnh Trà", kind="commune_party_committee")
    body = make_unit("UBND huyện", "UBND", kind="government_office")
    task = make_task(quarter=quarter, lead=lead, kind="dialogue",
                     title="Bí thư đối thoại với nhân dân xã Tịnh Trà")
    return task, lead, body


def _petition(db, task, body, user=None, **extra):
    data = dict(content="Đề nghị sửa đường", field="infrastructure",
                answering_unit_id=body.id, commune="Tịnh Trà")
    data.update(extra)
    petition = services.create_petition(task, data, user)
    db.session.commit()
    return petition


def test_a_petition_goes_from_received_to_answered_with_history(
        db, dialogue, make_user):
    task, lead, body = dialogue
    staff = make_user("canbo", units=[lead])
    answerer = make_user("ubnd", units=[body])
    petition = _petition(db, task, body, staff, due_on=dt.date(2023, 5, 31))
    services.forward_petition(petition, staff, dt.date(2023, 5, 2), "CV số 5")
    services.answer_petition(petition, answerer, "Đã bố trí vốn", dt.date(2023, 5, 20))
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Petition, petition.id)
    assert stored.state == "answered"
    assert stored.answered_on == dt.date(2023, 5, 20) and stored.answered_on_time()
    history = db.session.scalars(
        select(PetitionUpdate).where(PetitionUpdate.petition_id == petition.id)
        .order_by(PetitionUpdate.id)).all()
    assert [(h.action, h.new_state, h.user_id) for h in history] == [
        ("created", "received", staff.id), ("forwarded", "forwarded", staff.id),
        ("answered", "answered", answerer.id)]


def test_editing_records_what_changed(db, dialogue, make_user):
    task, lead, body = dialogue
    staff = make_user("canbo", units=[lead])
    petition = _petition(db, task, body, staff)
    changes = services.update_petition(
        petition, dict(content="Đề nghị sửa cầu", field="infrastructure"), staff)
    db.session.commit()
    assert changes == {"content": ["Đề nghị sửa đường", "Đề nghị sửa cầu"]}
    assert petition.updates[0].action == "edited"
    assert services.update_petition(petition, dict(content="Đề nghị sửa cầu"),
                                     staff) == {}


def test_who_may_do_what(db, dialogue, make_user, make_unit):
    task, lead, body = dialogue
    staff = make_user("canbo", units=[lead])
    answerer = make_user("ubnd", units=[body])
    stranger = make_user("khac", units=[make_unit()])
    leader = make_user("lanhdao", role="leader")
    viewer = make_user("xem", role="viewer", units=[lead])
    petition = _petition(db, task, body, staff)
    assert policy.can_record_petition(staff, task)
    assert not policy.can_record_petition(answerer, task)
    assert not policy.can_record_petition(stranger, task)
    assert not policy.can_record_petition(viewer, task)
    assert policy.can_forward_petition(staff, petition)
    assert not policy.can_forward_petition(answerer, petition)
    assert policy.can_answer_petition(answerer, petition)
    assert not policy.can_answer_petition(staff, petition)
    assert not policy.can_answer_petition(stranger, petition)
    assert all(check(leader, petition) for check in (
        policy.can_edit_petition, policy.can_forward_petition,
        policy.can_answer_petition, policy.can_close_petition))
    services.answer_petition(petition, answerer, "Đã trả lời", dt.date(2023, 5, 10))
    assert not policy.can_answer_petition(leader, petition)
    assert not policy.can_close_petition(leader, petition)


def test_only_meetings_with_citizens_hold_petitions(db, make_task, make_user,
                                                    make_unit):
    lead = make_unit()
    leader = make_user("lanhdao", role="leader")
    congress = make_task(lead=lead, kind="congress", title="Đại hội")
    assert not policy.can_record_petition(leader, congress)


def test_the_answering_body_answers_through_the_page(client, db, dialogue, login_as):
    task, lead, body = dialogue
    petition = _petition(db, task, body)
    login_as("staff", units=[body], username="ubnd")
    page = page_text(client.get(f"/petitions/{petition.id}"))
    assert 'id="answer-form"' in page and 'id="forward-form"' not in page
    response = client.post(f"/petitions/{petition.id}/answer", data={
        "answer": "Đã bố trí kinh phí năm 2024", "answered_on": "2023-05-10"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Petition, petition.id).state == "answered"
    assert "Đã bố trí kinh phí năm 2024" in page_text(
        client.get(f"/petitions/{petition.id}"))


@pytest.mark.parametrize("data, message", [
    ({"answer": "", "answered_on": "2023-05-10"}, "Write the answer given."),
    ({"answer": "   ", "answered_on": "2023-05-10"}, "Write the answer given."),
    ({"answer": "Đã trả lời", "answered_on": "2099-01-01"},
     "The date cannot be in the future."),
    ({"answer": "Đã trả lời", "answered_on": "31/02/2023"},
     "Enter the date of the answer."),
])
def test_a_bad_answer_is_refused_with_a_message(client, db, dialogue, login_as,
                                                data, message):
    task, lead, body = dialogue
    petition = _petition(db, task, body)
    login_as("leader")
    response = client.post(f"/petitions/{petition.id}/answer?lang=en", data=data)
    assert response.status_code == 400
    text = page_text(response)
    assert message in text
    db.session.expire_all()
    assert db.session.get(Petition, petition.id).state == "received"


def test_recording_needs_a_body_and_content(client, db, dialogue, login_as):
    task, lead, body = dialogue
    login_as("staff", units=[lead])
    response = client.post(f"/petitions/new?task={task.id}&lang=en", data={
        "content": "Đề nghị", "field": "land", "answering_unit_id": "0"})
    assert response.status_code == 400
    assert "Choose the body that must answer" in page_text(response)
    response = client.post(f"/petitions/new?task={task.id}", data={
        "content": "Đề nghị", "field": "land", "answering_unit_id": "0",
        "answering_body": "Công ty Điện lực", "commune": "Tịnh Hà"})
    assert response.status_code == 302
    stored = db.session.scalar(select(Petition))
    assert stored.body_name == "Công ty Điện lực" and stored.answering_unit_id is None
    assert client.get("/petitions/new?task=abc").status_code == 404
    assert client.get("/petitions/new?task=999999").status_code == 404


def test_no_petition_is_added_to_a_closed_quarter(db, dialogue, make_user):
    task, lead, body = dialogue
    staff = make_user("canbo", units=[lead])
    task.quarter.state = "closed"
    db.session.commit()
    assert not policy.can_record_petition(staff, task)


def test_the_list_filters_and_counts_those_overdue(client, db, dialogue, login_as,
                                                   make_unit):
    task, lead, body = dialogue
    other_body = make_unit("Công an huyện", "CA")
    late = _petition(db, task, body, content="Quá hạn", due_on=dt.date(2023, 5, 1))
    _petition(db, task, other_body, content="Chưa đến hạn", field="land",
              due_on=dt.date(2023, 6, 30), commune="Tịnh Hà")
    answered = _petition(db, task, body, content="Đã xong", field="policy",
                         due_on=dt.date(2023, 5, 1))
    services.answer_petition(answered, None, "Đã trả lời", dt.date(2023, 4, 20))
    db.session.commit()
    login_as("staff", units=[body], username="ubnd")
    page = page_text(client.get("/petitions/"))
    assert "3 petitions" in page or "3 ý kiến" in page
    assert f'id="petition-{late.id}"' in page and page.count("petition-overdue") == 1
    assert 'id="overdue-count"' in page

    def listed(query):
        return page_text(client.get("/petitions/?" + query)).count('class="list-group-item')

    assert listed("overdue=1") == 1
    assert listed("state=answered") == 1
    assert listed("field=land") == 1
    assert listed("commune=tinh+ha") == 1
    assert listed("commune=Tịnh+Hà") == 1
    assert listed(f"body={other_body.id}") == 1
    assert listed("body=mine") == 2
    # Values that mean nothing are ignored, never a 500.
    assert client.get("/petitions/?state=x&field=y&body=z&page=abc").status_code == 200


def test_the_list_costs_the_same_for_more_rows(client, db, dialogue, login_as,
                                               count_queries):
    task, lead, body = dialogue
    login_as("leader")
    _petition(db, task, body)
    client.get("/petitions/")
    with count_queries() as few:
        client.get("/petitions/")
    for n in range(15):
        _petition(db, task, body, content=f"Ý kiến {n}")
    with count_queries() as many:
        client.get("/petitions/")
    assert len(many) == len(few)


def test_another_boards_petitions_are_not_listed(client, db, dialogue, login_as):
    from tracker.boards import scope

    task, lead, body = dialogue
    _petition(db, task, body, content="Của ban này")
    other = Board(code="khac", name="Ban khác", level="district")
    db.session.add(other)
    db.session.flush()
    with scope.boards([other.id]):
        quarter = Quarter(year=2023, number=2, state="active")
        db.session.add(quarter)
        db.session.flush()
        other_task = Task(quarter=quarter, kind="dialogue", title="Đối thoại ban khác",
                          lead_unit_id=lead.id)
        db.session.add(other_task)
        db.session.flush()
        foreign = services.create_petition(other_task, dict(
            content="Của ban khác", answering_unit_id=body.id), None)
    db.session.commit()
    login_as("leader")
    page = page_text(client.get("/petitions/"))
    assert "Của ban này" in page and "Của ban khác" not in page
    assert client.get(f"/petitions/{foreign.id}").status_code == 404
    assert client.post(f"/petitions/{foreign.id}/answer", data={
        "answer": "x", "answered_on": "2023-05-01"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Petition, foreign.id).state == "received"

"""The demo's dialogue holds petitions in each state, one overdue for an answer."""
import datetime as dt

from sqlalchemy import select

from tests.helpers import page_text
from tracker.figures.services import quarter_figures
from tracker.models import Quarter
from tracker.models.petition import Petition


def test_the_demo_dialogue_has_a_petition_in_each_state(client, demo, db):
    petitions = db.session.scalars(
        select(Petition).where(Petition.is_imported.is_(False))).all()
    assert sorted(p.state for p in petitions) == [
        "answered", "closed", "forwarded", "received"]
    day = dt.date(2023, 5, 15)
    assert [p.state for p in petitions if p.is_overdue(day)] == ["forwarded"]
    q2 = db.session.scalar(select(Quarter).where(Quarter.number == 2))
    d = quarter_figures(q2, day)["dialogues"]
    assert (d["opinions_raised"], d["opinions_answered"], d["answered_on_time"],
            d["still_open"], d["overdue"], d["closed"]) == (4, 1, 1, 2, 1, 1)
    response = client.post("/login", data={"username": "canbo_hnd", "password": "demo"})
    assert response.status_code == 302
    mine = page_text(client.get("/petitions/?body=mine"))
    assert "vốn vay ưu đãi" in mine and "bồi thường" not in mine
    overdue = page_text(client.get("/petitions/?overdue=1"))
    assert "bồi thường" in overdue and "vốn vay ưu đãi" not in overdue

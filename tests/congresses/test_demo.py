"""The demo's congresses: the briefing's two of 2023–2028 and the next ones due."""
from sqlalchemy import select

from tests.helpers import visible_text
from tracker.congresses import services
from tracker.models import CongressTerm, CongressTermChange

from tests.conftest import TODAY


def test_the_demo_calendar_shows_the_briefings_congresses(client, demo, db):
    rows = services.calendar(TODAY)
    seen = {(row.term.organisation, row.ordinal_roman, row.term_label): row.state
            for row in rows}
    assert seen[("Hội Nông dân huyện Sơn Tịnh", "XII", "2023–2028")] == "planned"
    assert seen[("Liên đoàn Lao động huyện Sơn Tịnh", "XIX", "2023–2028")] == "held"
    assert seen[("Liên đoàn Lao động huyện Sơn Tịnh", "XX", "2028–2033")] == (
        "not_planned")
    # Holding the Trade Union's congress moved its term forward, recorded.
    union = db.session.scalars(select(CongressTerm).where(
        CongressTerm.organisation == "Liên đoàn Lao động huyện Sơn Tịnh")).one()
    assert (union.ordinal, union.term_label) == (19, "2023–2028")
    held = db.session.scalars(select(CongressTermChange).where(
        CongressTermChange.term_id == union.id,
        CongressTermChange.action == "held")).one()
    assert held.task is not None and held.user is not None
    # The communes' terms: two not yet held, flagged; they come before the district's.
    flagged = [row.term.organisation for row in services.flagged(TODAY)]
    assert flagged == ["Hội Nông dân xã Tịnh Hiệp", "Hội Nông dân xã Tịnh Thọ"]
    assert rows[0].term.level == "commune"
    communes = [row for row in rows if row.term.level == "commune"]
    assert len(communes) == 11

    client.post("/login", data={"username": "lanhdao", "password": "demo"})
    text = visible_text(client.get("/congresses/"))
    assert "Liên đoàn Lao động huyện Sơn Tịnh" in text and "XIX" in text
    assert "25/05/2023" in text and "2028–2033" in text
    me = visible_text(client.get("/me"))
    assert "Hội Nông dân xã Tịnh Thọ" in me

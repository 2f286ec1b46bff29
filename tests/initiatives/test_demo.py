"""The demo's registry holds Sơn Tịnh's 46 models of 2023: some by name, the rest as
an imported count, a few recognised."""
import datetime as dt

from sqlalchemy import select

from tests.helpers import page_text
from tracker.figures.services import quarter_figures
from tracker.models import Quarter
from tracker.models.initiative import Initiative


def test_the_demo_registry_holds_the_years_46_models(client, demo, db):
    named = db.session.scalars(select(Initiative).where(
        Initiative.is_imported.is_(False))).all()
    assert {m.state for m in named} == {"registered", "building", "reviewed",
                                        "recognised", "dropped"}
    assert sum(m.count for m in db.session.scalars(select(Initiative))) == 46
    q1, q2 = (db.session.scalar(select(Quarter).where(Quarter.number == number))
              for number in (1, 2))
    m1 = quarter_figures(q1, dt.date(2023, 3, 31))["movements"]
    assert (m1["models_registered"], m1["models_recognised"],
            m1["models_recognised_in_quarter"]) == (46, 2, 2)
    m2 = quarter_figures(q2, dt.date(2023, 6, 30))["movements"]
    assert (m2["models_registered"], m2["models_recognised"],
            m2["models_recognised_in_quarter"]) == (46, 3, 1)
    assert [row["name"] for row in m2["models_recognised_list"]] == [
        "Tuyến đường hoa, đường cờ nông thôn mới"]
    response = client.post("/login", data={"username": "canbo_hnd", "password": "demo"})
    assert response.status_code == 302
    mine = page_text(client.get("/initiatives/?unit=mine"))
    assert "Vận động nhân dân hiến đất" in mine and "Tổ tự quản" not in mine
    assert 'id="new-initiative"' in mine

"""The movement's models come from the registry: the summary, the .docx, figures.json
and the API read the same numbers."""
import datetime as dt
import io
import re

from docx import Document

from tests.api.conftest import api, make_token  # noqa: F401  (fixtures)
from tests.helpers import page_text
from tracker.figures.services import quarter_figures
from tracker.initiatives import services

D = dt.date


def _registry(db, make_task, make_unit, make_quarter):
    """Return Q2 2023 with a movement task and the year's models in several states."""
    quarter = make_quarter(2023, 2)
    hnd = make_unit("Hội Nông dân huyện", "HND")
    hlhpn = make_unit("Hội Liên hiệp Phụ nữ huyện", "HLHPN")
    task = make_task(quarter=quarter, lead=hnd, kind="movement",
                     title="Phong trào thi đua “Dân vận khéo” năm 2023",
                     campaign_name="Dân vận khéo")

    def model(name, unit, field, day, steps=()):
        item = services.create_initiative(dict(
            name=name, field=field, unit_id=unit.id, year=2023, registered_on=day),
            None)
        for state, on, extra in steps:
            services.advance(item, None, state, on, extra.get("note", ""),
                             level=extra.get("level"),
                             decision_number=extra.get("number", ""))
        return item

    walk = (("building", D(2023, 2, 1), {}), ("reviewed", D(2023, 3, 1), {}))
    model("Hiến đất làm đường", hnd, "economy", D(2023, 1, 10), walk + (
        ("recognised", D(2023, 3, 20), dict(level="district", number="1-QĐ/HU")),))
    model("Chi hội “5 không, 3 sạch”", hlhpn, "culture_society", D(2023, 1, 12),
          walk + (("recognised", D(2023, 4, 20),
                   dict(level="district", number="215-QĐ/HU")),))
    model("Tổ tự quản an ninh", hnd, "defence_security", D(2023, 2, 1), walk + (
        ("recognised", D(2023, 5, 10), dict(level="province", number="9-QĐ/TU")),))
    model("Nuôi bò vỗ béo", hnd, "economy", D(2023, 2, 5),
          (("dropped", D(2023, 3, 5), dict(note="Giải thể")),))
    model("Đường hoa nông thôn mới", hlhpn, "culture_society", D(2023, 4, 2))
    model("Đăng ký sau ngày tính", hlhpn, "economy", D(2023, 5, 14))
    # A count typed before the registry, for this quarter's task.
    services.record_imported_counts(task, 10, 2)
    db.session.commit()
    return quarter, task


def test_the_figures_count_the_registry(db, make_task, make_unit, make_quarter):
    quarter, task = _registry(db, make_task, make_unit, make_quarter)
    m = quarter_figures(quarter, D(2023, 5, 12))["movements"]
    assert (m["count"], m["models_registered"], m["models_recognised"],
            m["models_recognised_in_quarter"], m["models_dropped"],
            m["models_imported"]) == (1, 15, 5, 4, 1, 10)
    assert {code: (row["recognised"], row["registered"])
            for code, row in m["models_by_field"].items()} == {
        "economy": (3, 12), "culture_society": (1, 2), "defence_security": (1, 1)}
    assert [(row["name"], row["recognised"], row["registered"])
            for row in m["models_by_unit"]] == [
        ("Hội Nông dân huyện", 4, 13), ("Hội Liên hiệp Phụ nữ huyện", 1, 2)]
    assert [row["name"] for row in m["models_recognised_list"]] == [
        "Chi hội “5 không, 3 sạch”", "Tổ tự quản an ninh"]
    # The task carries the counts typed for it.
    entry = next(t for t in quarter_figures(quarter, D(2023, 5, 12))["tasks"]
                 if t["id"] == task.id)
    assert entry["models"] == {"registered": 10, "recognised": 2}
    # Earlier, fewer were registered and recognised.
    early = quarter_figures(quarter, D(2023, 4, 10))["movements"]
    assert (early["models_registered"], early["models_recognised"],
            early["models_recognised_in_quarter"]) == (15, 3, 2)
    late = quarter_figures(quarter, D(2023, 5, 14))["movements"]
    assert late["models_registered"] == 16


def test_another_years_models_are_not_counted(db, make_task, make_unit,
                                              make_quarter):
    quarter, _ = _registry(db, make_task, make_unit, make_quarter)
    unit = make_unit("Huyện đoàn", "ĐTN")
    services.create_initiative(dict(name="Năm sau", field="economy", unit_id=unit.id,
                                    year=2024, registered_on=D(2023, 5, 1)), None)
    db.session.commit()
    assert quarter_figures(quarter, D(2023, 5, 12))["movements"][
        "models_registered"] == 15
    next_year = make_quarter(2024, 1)
    assert quarter_figures(next_year, D(2024, 3, 1))["movements"][
        "models_registered"] == 1


def test_summary_docx_figures_json_and_api_agree(client, db, login_as, make_task,
                                                 make_unit, make_quarter,
                                                 make_token, api):
    quarter, _ = _registry(db, make_task, make_unit, make_quarter)
    leader = login_as("leader")
    data = client.get("/quarters/2023-Q2/figures.json?as_of=2023-05-12").get_json()
    m = data["movements"]
    assert (m["models_registered"], m["models_recognised"]) == (15, 5)
    from_api = api("GET", "/api/v1/quarters/2023-Q2/figures?as_of=2023-05-12",
                   make_token(leader, "read")).get_json()
    assert from_api["movements"] == m
    summary = page_text(client.get("/quarters/2023-Q2/summary?as_of=2023-05-12"))
    item = re.sub(r"<[^>]+>", "", re.search(r'id="kind-movement">(.*?)</li>',
                                             summary, re.S).group(1))
    assert f"{m['models_recognised']}/{m['models_registered']}" in item
    by_field = re.sub(r"<[^>]+>", "", re.search(
        r'id="models-by-field">(.*?)</div>', summary, re.S).group(1))
    assert re.search(r"(Economy|Kinh tế) 3/12", by_field)
    by_unit = re.sub(r"<[^>]+>", "", re.search(
        r'id="models-by-unit">(.*?)</div>', summary, re.S).group(1))
    assert "Hội Nông dân huyện 4/13" in by_unit
    assert "Tổ tự quản an ninh" in summary
    response = client.get("/quarters/2023-Q2/report.docx?as_of=2023-05-12")
    assert response.status_code == 200
    body = "\n".join(p.text for p in Document(io.BytesIO(response.data)).paragraphs)
    assert (f"{m['models_registered']} mô hình đăng ký, "
            f"{m['models_recognised']} mô hình được công nhận") in body
    assert ("Trong quý có 4 mô hình “Dân vận khéo” được công nhận, gồm: mô hình "
            "“Chi hội “5 không, 3 sạch”” của Hội Liên hiệp Phụ nữ huyện (cấp huyện, "
            "Quyết định số 215-QĐ/HU ngày 20/04/2023); mô hình “Tổ tự quản an ninh” "
            "của Hội Nông dân huyện (cấp tỉnh, Quyết định số 9-QĐ/TU ngày "
            "10/05/2023) và 2 mô hình theo số liệu tổng hợp.") in body
    # The movement's own sentence states the counts typed for it.
    assert "10 mô hình “Dân vận khéo” đăng ký; 2 mô hình “Dân vận khéo” được công " \
           "nhận" in body


def test_a_closed_quarter_keeps_its_numbers_when_models_move_later(
        db, make_task, make_unit, make_quarter):
    from tracker.quarters.rollover import close_quarter

    quarter, task = _registry(db, make_task, make_unit, make_quarter)
    quarter.year, quarter.number = 2023, 1
    db.session.commit()
    close_quarter(quarter, {}, None)
    db.session.commit()
    before = quarter_figures(quarter)["movements"]
    late = services.create_initiative(dict(
        name="Ghi muộn", field="economy", unit_id=task.lead_unit_id, year=2023,
        registered_on=D(2023, 3, 1)), None)
    waiting = next(i for i in services.initiative_list(
        services.Filters(state="registered"))[0] if i.name == "Đường hoa nông thôn mới")
    services.advance(waiting, None, "dropped", D(2023, 3, 2), "Không đạt")
    db.session.commit()
    assert late.id and quarter_figures(quarter)["movements"] == before

"""The dialogue numbers of the summary, the .docx and figures.json are the records'."""
import datetime as dt
import io
import re

from docx import Document

from tests.helpers import page_text
from tracker.figures.services import quarter_figures
from tracker.petitions import services

D = dt.date


def _dialogue_with_petitions(db, make_task, make_unit, make_quarter):
    """Return a 2023-Q2 dialogue holding one petition in each state, one overdue."""
    quarter = make_quarter(2023, 2)
    lead = make_unit("Ban Dân vận", "BDV", kind="party_board")
    body = make_unit("UBND huyện", "UBND", kind="government_office")
    task = make_task(quarter=quarter, lead=lead, kind="dialogue",
                     title="Bí thư Huyện ủy đối thoại với nhân dân xã Tịnh Hà",
                     chair="Bí thư Huyện ủy", commune="xã Tịnh Hà", status="done",
                     progress=100, completed_on=D(2023, 4, 20), held_on=D(2023, 4, 20))

    def petition(field, due_on, content):
        return services.create_petition(task, dict(
            content=content, field=field, answering_unit_id=body.id, due_on=due_on),
            None)

    on_time = petition("land", D(2023, 5, 31), "Cấp giấy chứng nhận")
    late = petition("land", D(2023, 5, 1), "Đo đạc lại thửa đất")
    overdue = petition("infrastructure", D(2023, 5, 1), "Sửa cầu")
    petition("policy", D(2023, 6, 30), "Trợ cấp người có công")
    closed = petition("other", None, "Ý kiến trùng")
    services.answer_petition(on_time, None, "Đã cấp", D(2023, 5, 10))
    services.answer_petition(late, None, "Đã đo đạc", D(2023, 5, 12))
    services.forward_petition(overdue, None, D(2023, 4, 25))
    services.close_petition(closed, None, "Trùng ý kiến số 1", D(2023, 5, 2))
    db.session.commit()
    return quarter, task, overdue


def test_the_figures_count_the_records(db, make_task, make_unit, make_quarter):
    quarter, task, _ = _dialogue_with_petitions(db, make_task, make_unit,
                                                make_quarter)
    d = quarter_figures(quarter, D(2023, 5, 15))["dialogues"]
    assert (d["opinions_raised"], d["opinions_answered"], d["answered_on_time"],
            d["still_open"], d["overdue"], d["closed"]) == (5, 2, 1, 2, 1, 1)
    assert {code: row["raised"] for code, row in d["by_field"].items()} == {
        "land": 2, "policy": 1, "infrastructure": 1, "other": 1}
    # Earlier, the answers had not come yet.
    early = quarter_figures(quarter, D(2023, 5, 5))["dialogues"]
    assert (early["opinions_answered"], early["still_open"]) == (0, 4)


def test_page_docx_and_figures_json_agree(client, db, login_as, make_task,
                                          make_unit, make_quarter):
    quarter, task, _ = _dialogue_with_petitions(db, make_task, make_unit,
                                                make_quarter)
    login_as("leader")
    data = client.get("/quarters/2023-Q2/figures.json").get_json()
    d = data["dialogues"]
    assert (d["opinions_raised"], d["opinions_answered"], d["answered_on_time"],
            d["still_open"], d["overdue"]) == (5, 2, 1, 2, 1)
    summary = page_text(client.get("/quarters/2023-Q2/summary"))
    item = re.search(r'id="kind-dialogue">(.*?)</li>', summary, re.S).group(1)
    text = re.sub(r"<[^>]+>", "", item)
    assert f"{d['opinions_answered']}/{d['opinions_raised']}" in text
    assert re.search(rf"answered on time\D*{d['answered_on_time']}|đúng hạn\D*"
                     rf"{d['answered_on_time']}", text)
    assert re.search(rf"(still open|đang giải quyết)\D*{d['still_open']}", text)
    response = client.get("/quarters/2023-Q2/report.docx")
    assert response.status_code == 200
    body = "\n".join(p.text for p in Document(io.BytesIO(response.data)).paragraphs)
    assert (
        f"nhân dân nêu {d['opinions_raised']} ý kiến, kiến nghị (đất đai 2, chính "
        f"sách 1, hạ tầng 1, lĩnh vực khác 1); đã trả lời, giải đáp "
        f"{d['opinions_answered']} (đúng hạn {d['answered_on_time']}), còn "
        f"{d['still_open']} đang giải quyết ({d['overdue']} quá hạn trả lời), "
        f"{d['closed']} kết thúc không trả lời") in body
    # The dialogue's own sentence states its records too.
    assert "2/5 ý kiến, kiến nghị đã được trả lời, giải đáp" in body


def test_a_closed_quarter_keeps_its_numbers_when_answers_come_later(
        db, make_task, make_unit, make_quarter, make_user):
    from tracker.quarters.rollover import close_quarter

    quarter, task, overdue = _dialogue_with_petitions(db, make_task, make_unit,
                                                      make_quarter)
    quarter.year, quarter.number = 2023, 1
    db.session.commit()
    close_quarter(quarter, {}, None)
    db.session.commit()
    before = quarter_figures(quarter)["dialogues"]
    services.answer_petition(overdue, make_user("ubnd"), "Đã sửa cầu", D(2023, 3, 1))
    db.session.commit()
    assert quarter_figures(quarter)["dialogues"] == before


def test_the_workbook_has_a_sheet_of_petitions_with_safe_cells(
        client, db, login_as, make_task, make_unit, make_quarter):
    from openpyxl import load_workbook

    from tracker.exports import is_risky

    quarter, task, overdue = _dialogue_with_petitions(db, make_task, make_unit,
                                                      make_quarter)
    services.create_petition(task, dict(content="=cmd|' /C calc'!A0",
                                        answering_body="+UBND xã"), None)
    db.session.commit()
    login_as("viewer")
    response = client.get("/quarters/2023-Q2/report.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    sheet = book["Ý kiến, kiến nghị"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 6
    by_id = {row[0]: row for row in rows}
    assert by_id[overdue.id][9] == "Đã chuyển" and by_id[overdue.id][15] == "Có"
    assert by_id[overdue.id][8].date() == D(2023, 5, 1)
    risky = [cell for row in sheet.iter_rows(min_row=2) for cell in row
             if isinstance(cell.value, str) and is_risky(cell.value)]
    assert {cell.value for cell in risky} >= {"=cmd|' /C calc'!A0", "+UBND xã"}
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in risky)

"""The figures at a cut-off: shares scored per unit, figures.json, as_of everywhere."""
import datetime as dt
import re

import pytest

from tests.helpers import page_text, visible_text
from tracker.extensions import cache
from tracker.figures.services import compute, quarter_rows, unit_figures
from tracker.quarters.rollover import close_quarter
from tracker.tasks.services import report_progress, report_share

D = dt.date
JSON_KEYS = {"quarter", "label", "as_of", "closed", "counts", "rate", "units", "tasks"}
COUNT_KEYS = {"done_on_time", "done_late", "done", "in_progress_on_time", "overdue",
              "not_started", "no_deadline", "cancelled"}
UNIT_KEYS = {"id", "name", "led", "shares", "done", "overdue", "rate"}
TASK_KEYS = {"id", "title", "kind", "status", "progress", "due_on", "completed_on",
             "timeliness", "lead", "target", "achieved", "shares"}
SHARE_KEYS = {"unit", "role", "status", "completed_on", "note"}


@pytest.fixture
def shared(db, make_quarter, make_unit, make_task):
    """Q1 2023 (open): a dialogue led by the board, shared by three communes."""
    quarter = make_quarter(2023, 1)
    board = make_unit("Ban Dân vận", "BDV", kind="party_board")
    communes = [make_unit(f"Đảng ủy xã Tịnh {name}", f"ĐU Tịnh {name}",
                          kind="commune_party_committee") for name in ("An", "Bình",
                                                                       "Cầu")]
    task = make_task(quarter=quarter, lead=board, participating=communes,
                     kind="dialogue",
                     title="Bí thư Đảng ủy 3 xã đối thoại với nhân dân",
                     target_count=3, achieved_count=2, target_label="cuộc",
                     due_on=D(2023, 3, 31), status="in_progress", progress=30)
    links = {link.unit.short_name: link for link in task.unit_links}
    later = D(2023, 5, 1)
    report_share(links["ĐU Tịnh An"], "done", D(2023, 2, 6), "Đã đối thoại.", None,
                 today=later)
    report_share(links["ĐU Tịnh Bình"], "done", D(2023, 4, 3), "Xong muộn.", None,
                 today=later)
    report_share(links["ĐU Tịnh Cầu"], "in_progress", None, "Đang chuẩn bị hội trường.",
                 None, today=later)
    own = make_task(quarter=quarter, lead=communes[2], title="Việc riêng của xã Cầu",
                    due_on=D(2023, 3, 10), status="done", progress=100,
                    completed_on=D(2023, 3, 9))
    db.session.commit()
    return dict(quarter=quarter, task=task, board=board, communes=communes, own=own)


def _by_name(figures):
    return {unit["short_name"]: unit for unit in figures["units"]}


def test_a_unit_that_only_takes_part_scores_its_shares(shared, db):
    quarter = shared["quarter"]
    before = compute(quarter, quarter_rows(quarter, notes=True), D(2023, 3, 20))
    units = _by_name(before)
    # Before the due date nothing is overdue; a share done after the cut-off was
    # not done then.
    assert (units["ĐU Tịnh An"]["led"], units["ĐU Tịnh An"]["shares"]) == (0, 1)
    assert (units["ĐU Tịnh An"]["done"], units["ĐU Tịnh An"]["rate"]) == (1, 1.0)
    assert (units["ĐU Tịnh Bình"]["done"], units["ĐU Tịnh Bình"]["overdue"]) == (0, 0)
    assert units["ĐU Tịnh Bình"]["rate"] is None
    after = compute(quarter, quarter_rows(quarter, notes=True), D(2023, 4, 5))
    units = _by_name(after)
    assert (units["ĐU Tịnh Bình"]["done"], units["ĐU Tịnh Bình"]["done_late"]) == (1, 1)
    # A unit with its own task and an unfinished share: both count.
    cau = units["ĐU Tịnh Cầu"]
    assert (cau["led"], cau["shares"], cau["done"], cau["overdue"]) == (1, 1, 1, 1)
    assert cau["rate"] == 0.5
    # The lead counts the task it leads, not the communes' shares.
    board = units["BDV"]
    assert (board["led"], board["shares"], board["done"], board["overdue"]) == (
        1, 0, 0, 1)
    task = next(t for t in after["tasks"] if t["id"] == shared["task"].id)
    assert [(s["status"], s["completed_on"], s["timeliness"], s["note"])
            for s in task["shares"]] == [
        ("done", "2023-02-06", "done_on_time", "Đã đối thoại."),
        ("done", "2023-04-03", "done_late", "Xong muộn."),
        ("in_progress", None, "overdue", "Đang chuẩn bị hội trường."),
    ]
    assert unit_figures(after, 999999)["shares"] == 0


def test_figures_json_has_the_issue_shape_and_counts_its_tasks(
        client, login_as, shared):
    login_as("viewer")
    response = client.get("/quarters/2023-Q1/figures.json?as_of=2023-04-05")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert JSON_KEYS <= set(data)
    assert (data["quarter"], data["label"], data["as_of"], data["closed"]) == (
        "2023-Q1", "Quý I/2023", "2023-04-05", False)
    assert set(data["counts"]) == COUNT_KEYS
    tally = {code: 0 for code in COUNT_KEYS}
    for task in data["tasks"]:
        assert TASK_KEYS <= set(task)
        tally[task["timeliness"]] += 1
        for share in task["shares"]:
            assert SHARE_KEYS <= set(share) and share["role"] == "participating"
    assert data["counts"] == tally
    assert data["rate"] == 0.5  # one done, one overdue
    assert all(UNIT_KEYS <= set(unit) for unit in data["units"])
    dialogue = next(t for t in data["tasks"] if t["id"] == shared["task"].id)
    assert (dialogue["kind"], dialogue["lead"], dialogue["target"],
            dialogue["achieved"], dialogue["due_on"]) == (
        "dialogue", shared["board"].id, 3, 2, "2023-03-31")
    assert [share["unit"] for share in dialogue["shares"]] == [
        unit.id for unit in shared["communes"]]
    # Today (the suite's 15/05/2023) by default.
    assert client.get("/quarters/2023-Q1/figures.json").get_json()["as_of"] == (
        "2023-05-15")


def test_figures_json_of_a_closed_quarter_ignores_as_of(client, login_as, shared, db):
    close_quarter(shared["quarter"], {}, None)
    db.session.commit()
    login_as("viewer")
    for query in ("", "?as_of=2023-02-01", "?as_of=2030-01-01"):
        data = client.get(f"/quarters/2023-Q1/figures.json{query}").get_json()
        assert (data["as_of"], data["closed"]) == ("2023-04-01", True)
        assert data["counts"]["overdue"] == 1 and data["rate"] == 0.5


@pytest.mark.parametrize("as_of", ["2023-13-01", "yesterday", "2023-6-1",
                                   "1999-12-31", "2023-06-01x", "２０２３-06-01"])
def test_figures_json_refuses_a_malformed_as_of(client, login_as, shared, as_of):
    login_as("viewer")
    response = client.get("/quarters/2023-Q1/figures.json", query_string={
        "as_of": as_of})
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.get_json()["error"]
    assert client.get("/quarters/2031-Q1/figures.json").status_code == 404


@pytest.mark.parametrize("url", [
    "/quarters/", "/quarters/2023-Q1/summary", "/units/{unit}",
    "/quarters/2023-Q1/report", "/quarters/2023-Q1/report.docx",
    "/quarters/2023-Q1/report.xlsx", "/quarters/2023-Q1/tasks.csv",
    "/quarters/2023-Q1/print",
])
def test_every_figure_surface_refuses_a_malformed_as_of(
        client, login_as, shared, url):
    login_as("viewer")
    path = url.format(unit=shared["board"].id)
    response = client.get(path, query_string={"as_of": "31/03/2023"})
    assert response.status_code == 400
    text = page_text(response)
    assert "phải là ngày viết theo dạng YYYY-MM-DD" in text
    good = client.get(path, query_string={"as_of": "2023-03-31"})
    assert good.status_code == 200


def test_pages_state_and_use_their_cut_off(client, login_as, shared):
    login_as("viewer")
    unit = shared["communes"][2]
    early = page_text(client.get(f"/units/{unit.id}?quarter=2023-Q1&as_of=2023-03-20"))
    assert "Số liệu tính đến ngày 20/03/2023" in early
    assert 'id="score-overdue">0<' in early and 'id="score-shares">1<' in early
    late = page_text(client.get(f"/units/{unit.id}?quarter=2023-Q1&as_of=2023-04-05"))
    assert 'id="score-overdue">1<' in late and 'id="score-rate">50%<' in late
    # The unit page lists its own task and its share, with its own note.
    assert "Việc riêng của xã Cầu" in late and "Đang chuẩn bị hội trường." in late
    assert "Cùng thực hiện: Đang thực hiện" in late
    quarters = page_text(client.get("/quarters/?as_of=2023-04-05"))
    assert "Số liệu tính đến ngày 05/04/2023" in quarters
    assert 'quarter-overdue">1<' in quarters


def test_the_page_cache_keys_on_the_cut_off(client, login_as, shared, app,
                                            monkeypatch):
    cache.clear()
    login_as("viewer")

    def overdue(path):
        # Kept, then reused. The first request of a session renders without the
        # cache (its CSRF secret is made then), so forms' tokens, which carry the
        # second they were signed in, are left out of the comparison: every token
        # field, whatever the order of its attributes (the sign-out form's too).
        texts = {re.sub(r'<input[^>]*name="csrf_token"[^>]*>', "<csrf>",
                        page_text(client.get(path))) for _ in range(3)}
        assert len(texts) == 1
        return int(re.search(r'id="overdue">(\d+)<', texts.pop()).group(1))

    assert overdue("/quarters/2023-Q1/summary?as_of=2023-03-20") == 0
    assert overdue("/quarters/2023-Q1/summary?as_of=2023-04-05") == 1
    assert overdue("/quarters/2023-Q1/summary?as_of=2023-03-20") == 0
    monkeypatch.setitem(app.config, "TODAY", "2023-03-20")
    assert overdue("/quarters/2023-Q1/summary") == 0
    monkeypatch.setitem(app.config, "TODAY", "2023-04-05")  # the next day's cut-off
    assert overdue("/quarters/2023-Q1/summary") == 1


def test_report_date_is_the_downloads_default_cut_off(client, login_as, shared, db):
    from docx import Document
    import io

    login_as("staff")
    client.post("/quarters/2023-Q1/report", data={
        "issued_on": "05/04/2023", "signer_title": "head"})
    text = page_text(client.get("/quarters/2023-Q1/report"))
    assert "Số liệu tính đến ngày 05/04/2023" in text
    assert 'href="/quarters/2023-Q1/report.docx"' in text
    document = Document(io.BytesIO(client.get("/quarters/2023-Q1/report.docx").data))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "quá hạn chưa hoàn thành 1" in body
    date_line = document.tables[0].rows[0].cells[1].paragraphs[-1].text
    assert date_line.endswith("ngày 05 tháng 4 năm 2023")
    # Another date chosen on the page carries to every download.
    text = page_text(client.get("/quarters/2023-Q1/report?as_of=2023-03-20"))
    assert 'href="/quarters/2023-Q1/report.docx?as_of=2023-03-20"' in text
    assert 'href="/quarters/2023-Q1/tasks.csv?as_of=2023-03-20"' in text
    document = Document(io.BytesIO(client.get(
        "/quarters/2023-Q1/report.docx?as_of=2023-03-20").data))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "quá hạn chưa hoàn thành 0" in body
    date_line = document.tables[0].rows[0].cells[1].paragraphs[-1].text
    assert date_line.endswith("ngày 20 tháng 3 năm 2023")


def test_work_done_after_the_cut_off_was_unfinished_then(shared, db):
    quarter = shared["quarter"]
    task = shared["task"]
    report_progress(task, "done", 100, "Hoàn thành.", None, completed_on=D(2023, 4, 3),
                    today=D(2023, 5, 1))
    db.session.commit()
    rows = quarter_rows(quarter, notes=True)
    code = {t["id"]: t["timeliness"] for t in compute(quarter, rows, D(2023, 3, 31))[
        "tasks"]}
    assert code[task.id] == "in_progress_on_time"
    code = {t["id"]: t["timeliness"] for t in compute(quarter, rows, D(2023, 4, 2))[
        "tasks"]}
    assert code[task.id] == "overdue"
    code = {t["id"]: t["timeliness"] for t in compute(quarter, rows, D(2023, 4, 3))[
        "tasks"]}
    assert code[task.id] == "done_late"


def test_a_target_without_a_result_never_reads_as_zero_achieved(
        client, login_as, shared, db, make_task):
    make_task(quarter=shared["quarter"], lead=shared["board"], title="Hội thi tuyên truyền",
              target_count=4, target_label="cuộc", due_on=D(2023, 3, 31))
    db.session.commit()
    login_as("viewer")
    text = visible_text(client.get("/quarters/2023-Q1/summary?as_of=2023-03-20"))
    assert "Hội thi tuyên truyền : chỉ tiêu 4 cuộc, chưa báo cáo kết quả" in text
    assert "0/4" not in text
    # The one that reported keeps reading achieved/target.
    assert "2/3 cuộc" in text


def test_figures_without_the_task_list_count_the_same(db, demo):
    """The summary asks for the figures without each task's entry: every other
    figure is the one the full figures (the API's, the exports') state."""
    from sqlalchemy import select

    from tracker.models import Quarter
    from tracker.quarters.summary import needing_attention

    for quarter in db.session.scalars(select(Quarter)):
        tasks = quarter_rows(quarter, notes=True)
        for cutoff in (quarter.starts_on, quarter.ends_on, D(2026, 12, 31)):
            full = compute(quarter, tasks, cutoff)
            lean = compute(quarter, tasks, cutoff, listing=False)
            assert lean.pop("tasks") is None
            listed = full.pop("tasks")
            assert lean == full, (quarter.key, cutoff)
            assert lean["total"] == len(listed)
            # The attention list classes its tasks as the full figures do.
            classes = {task["id"]: task["timeliness"] for task in listed}
            assert all(classes[task.id] == "overdue"
                       for task, code in needing_attention(tasks, cutoff)
                       if code == "overdue")
            assert sum(code == "overdue" for _, code in
                       needing_attention(tasks, cutoff)) == full["overdue"]

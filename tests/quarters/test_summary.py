"""The quarter summary: figures on the demo data, SQL timeliness, approval, the list."""
import datetime as dt
import re

import pytest

from tests.helpers import page_text, visible_text
from tests.tasks.test_timeliness import CASES
from tracker.models import AuditEvent, Quarter, Task, TaskUpdate
from tracker.quarters.rollover import close_quarter
from tracker.quarters.summary import quarter_summary
from tracker.tasks.timeliness import timeliness_sql


def _quarter(db, number):
    return db.session.scalar(db.select(Quarter).where(Quarter.number == number))


def test_sql_timeliness_agrees_with_classify(db, make_quarter, make_unit):
    quarter = make_quarter(2023, 2)
    unit = make_unit()
    rows = []
    for status, due, completed, cutoff, expected in CASES:
        task = Task(quarter=quarter, lead_unit=unit, title="t", status=status,
                    due_on=due, completed_on=completed)
        db.session.add(task)
        rows.append((task, cutoff, expected))
    db.session.flush()
    for task, cutoff, expected in rows:
        code = db.session.scalar(
            db.select(timeliness_sql(Task, cutoff)).where(Task.id == task.id))
        assert code == expected, (task.status, task.due_on, cutoff)


def test_demo_q1_figures_after_close(db, demo, make_user):
    q1 = _quarter(db, 1)
    close_quarter(q1, {}, make_user("leader2", role="leader"))
    db.session.commit()
    data = quarter_summary(q1, dt.date(2026, 11, 29))
    f = data["figures"]
    # Judged at 01/04/2023: the two unfinished tasks due on 31/03 are overdue.
    assert data["cutoff"] == dt.date(2023, 4, 1) and f["as_of"] == "2023-04-01"
    assert f["total"] == 6 and f["done"] == 2 and f["overdue"] == 2
    assert f["counts"] == {
        "done_on_time": 2, "done_late": 0, "done": 0, "in_progress_on_time": 1,
        "overdue": 2, "not_started": 0, "no_deadline": 1, "cancelled": 0,
    }
    assert f["rate"] == 0.5
    overdue = {task.title[:20] for task, code, _ in data["attention"]}
    assert overdue == {"Phối hợp giải quyết ", "Đẩy mạnh thực hiện c"}
    # The opinions come from the petitions' records (here the source's counts,
    # imported): 14 of 14 and 91 of 96 answered, with no due date, so on time.
    assert f["dialogues"] == {
        "planned": 12, "held": 12, "participants": 1410, "opinions_raised": 110,
        "opinions_answered": 105, "answered_on_time": 105, "closed": 0,
        "still_open": 5, "overdue": 0, "imported": 110,
        "by_field": {"other": {"raised": 110, "answered": 105,
                               "answered_on_time": 105, "closed": 0, "open": 5,
                               "overdue": 0, "imported": 110}}}
    assert f["movements"]["models_registered"] == 46
    assert {"title": "Bí thư Đảng ủy 11 xã tổ chức tiếp xúc, đối thoại với nhân dân",
            "target": 11, "achieved": 11, "label": "cuộc"}.items() <= next(
        t for t in f["targets"] if t["target"] == 11).items()
    board = f["units"][0]
    assert board["short_name"] == "BDV" and board["led"] == 5
    # The communes' dialogues are led by them as a group ("Các cơ sở"): the group
    # has no row of its own; each commune counts its share once.
    rows = {row["short_name"]: row for row in f["units"]}
    assert "Các cơ sở" not in rows
    assert rows["ĐU Tịnh Hà"]["shares"] == 1 and rows["ĐU Tịnh Hà"]["done"] == 1
    assert data["previous"] is None and data["year_ago"] is None
    assert [point[0].key for point in data["trend"]] == ["2023-Q1"]


def test_demo_q2_figures_compare_with_q1(db, demo):
    q2 = _quarter(db, 2)
    # Work reported done after the cut-off was not done then.
    early = quarter_summary(q2, dt.date(2023, 5, 20))["figures"]
    assert early["congresses"]["held"] == 0 and early["done"] == 0
    data = quarter_summary(q2, dt.date(2023, 6, 20))
    f = data["figures"]
    assert f["total"] == 10
    assert f["congresses"] == {"planned": 2, "held": 1, "delegates": 270}
    assert f["training"]["trainees_planned"] == 180
    assert data["previous"]["quarter"] == "2023-Q1"
    assert data["previous"]["delta"]["total"] == 4
    at_risk = {task.title[:20] for task, code, _ in data["attention"] if code == "at_risk"}
    assert "Đại hội đại biểu Hội" in at_risk
    hnd = next(t for t, _, _ in data["attention"] if "Hội Nông dân" in t.title)
    last = next(last for t, _, last in data["attention"] if t is hnd)
    assert last.note.startswith("Đã hoàn thành đại hội cấp cơ sở")
    # Each row read as columns says what the history's newest row and its author say.
    for task, _, last in data["attention"]:
        newest = db.session.scalars(
            db.select(TaskUpdate).where(TaskUpdate.task_id == task.id)
            .order_by(TaskUpdate.id.desc())).first()
        assert tuple(last) == (
            task.id, newest.created_at, newest.note,
            newest.user.display_name if newest.user else None,
            newest.unit.short_name if newest.unit else None)
    assert last.author and any(last.unit_name for _, _, last in data["attention"])


def test_summary_page_shows_figures_and_charts(client, login_as, demo):
    login_as("leader")
    response = client.get("/quarters/2023-Q2/summary?as_of=2023-06-20")
    text = page_text(response)
    assert response.status_code == 200
    assert "Tỷ lệ hoàn thành" in text and "<svg" in text
    assert "Số liệu tính đến ngày 20/06/2023" in text
    assert "Đại hội đã tổ chức / kế hoạch: <strong>1/2</strong>" in text
    # Today (15/05/2023) the congress held on 25/05 was not held yet.
    text = page_text(client.get("/quarters/2023-Q2/summary"))
    assert "Số liệu tính đến ngày 15/05/2023" in text
    assert "Đại hội theo kế hoạch, chưa tổ chức: <strong class=\"planned-only\">2</strong>" in text
    assert "<strong>0/2</strong>" not in text
    assert "Kết quả theo đơn vị" in text and "Cần lãnh đạo quan tâm" in text
    assert "Quý trước: Quý I/2023" in text and "2023-Q1" not in visible_text(response)


def test_approve_through_the_page(client, login_as, demo, db):
    leader = login_as("leader")
    assert client.post("/quarters/2023-Q1/approve").status_code == 302
    assert not _quarter(db, 1).is_approved  # not closed yet: refused with a message
    client.post("/quarters/2023-Q1/close", data={"carry_all": "1"})
    text = page_text(client.get("/quarters/2023-Q1/summary"))
    assert "Phê duyệt số liệu tổng hợp" in text
    assert client.post("/quarters/2023-Q1/approve").status_code == 302
    q1 = _quarter(db, 1)
    assert q1.approved_by_id == leader.id
    event = db.session.scalar(db.select(AuditEvent).where(
        AuditEvent.action == "approved"))
    # The headline approved is recorded with who approved it.
    assert (event.changes["total"], event.changes["overdue"]) == (6, 2)
    assert (event.changes["as_of"], event.changes["rate"]) == ("2023-04-01", 0.5)
    text = page_text(client.get("/quarters/2023-Q1/summary"))
    assert 'id="approved-badge"' in text and 'id="overdue">2<' in text


@pytest.mark.parametrize("role", ["staff", "viewer"])
def test_only_leaders_approve(client, login_as, demo, db, role):
    q1 = _quarter(db, 1)
    close_quarter(q1, {}, None)
    db.session.commit()
    login_as(role)
    assert client.post("/quarters/2023-Q1/approve").status_code == 403
    assert not _quarter(db, 1).is_approved


def test_approved_figures_are_what_the_page_shows(client, login_as, demo, db):
    q1 = _quarter(db, 1)
    close_quarter(q1, {}, None)
    db.session.commit()
    login_as("leader")
    before = page_text(client.get("/quarters/2023-Q1/summary?as_of=2030-01-01"))
    client.post("/quarters/2023-Q1/approve")
    event = db.session.scalar(db.select(AuditEvent).where(
        AuditEvent.action == "approved"))
    # A closed quarter's figures are frozen: what was approved is what every later
    # page shows, whatever day is asked for.
    after = page_text(client.get("/quarters/2023-Q1/summary?as_of=2023-02-01"))
    for name in ("total", "done", "overdue"):
        shown = f'id="{name}">{event.changes[name]}<'
        assert shown in before and shown in after


def test_quarter_list_shows_rates_and_carried(client, login_as, demo, db):
    close_quarter(_quarter(db, 1), {}, None)
    db.session.commit()
    login_as("viewer")
    text = page_text(client.get("/quarters/"))
    assert '<td class="text-end carried-out">4</td>' in text
    assert '<td class="text-end carried-in">4</td>' in text
    assert '<td class="text-end quarter-overdue">2</td>' in text
    assert '<td class="text-end quarter-rate">50%</td>' in text and "Đã khóa sổ" in text


def test_quarter_list_and_comparisons_read_a_closed_quarters_stored_counts(
        client, login_as, demo, db):
    q1 = _quarter(db, 1)
    close_quarter(q1, {}, None)
    db.session.commit()
    stored = dict(q1.closed_counts, carried_out=77, rate=0.25)
    stored["statuses"] = dict(stored["statuses"], done=55)
    stored["timeliness"] = dict(stored["timeliness"], overdue=9)
    from tracker.models.guard import unlocked
    with unlocked(db.session):
        q1.closed_counts = stored
        db.session.commit()
    login_as("viewer")
    # The stored numbers, not a recount, are what the list shows.
    text = page_text(client.get("/quarters/"))
    assert '<td class="text-end carried-out">77</td>' in text
    assert '<td class="text-end status-count-done">55</td>' in text
    assert '<td class="text-end quarter-rate">25%</td>' in text
    # Q2's summary compares with Q1's stored headline.
    text = page_text(client.get("/quarters/2023-Q2/summary"))
    assert "25%" in text


def test_summary_statements_do_not_grow(client, login_as, make_quarter, make_task,
                                        make_unit, count_queries, db):
    login_as("viewer")
    units = [make_unit() for _ in range(4)]

    def scenario(year, n):
        for number in (1, 2):
            quarter = make_quarter(year, number)
            for i in range(n):
                make_task(quarter=quarter, lead=units[i % 4], coordinating=units[:2],
                          kind=("dialogue", "training", "congress", "movement")[i % 4],
                          title=f"Việc {i}", status="in_progress", progress=10,
                          target_count=3)
        with count_queries() as statements:
            assert client.get(f"/quarters/{year}-Q2/summary").status_code == 200
        return len(statements)

    assert scenario(2024, 3) == scenario(2026, 30)


def test_scorecard_and_chart_show_the_units_with_most_work_then_all(
        client, login_as, make_quarter, make_task, make_unit):
    from tracker.quarters.charts import CHART_UNITS
    from tracker.quarters.summary import SCORECARD_ROWS

    login_as("viewer")
    quarter = make_quarter(2023, 2)
    units = [make_unit(name=f"Xã số {n}", short_name=f"X{n}")
             for n in range(SCORECARD_ROWS + 3)]
    make_task(quarter=quarter, lead=units[-1], title="Việc thêm")  # X32 leads two
    for unit in units:
        make_task(quarter=quarter, lead=unit, title=f"Việc của {unit.short_name}")
    text = client.get("/quarters/2023-Q2/summary").get_data(as_text=True)
    start = text.index(f'viewBox="0 0 600 {CHART_UNITS * 22 + 4}"')
    chart = text[start:text.index("</svg>", start)]
    names = re.findall(r'font-size="12">([^<]+)</text>', chart)
    order = [units[-1]] + units[:-1]  # most work first, then in the units' order
    assert names == [unit.short_name for unit in order[:CHART_UNITS]]
    assert f"{len(units) - CHART_UNITS} đơn vị khác có trong bảng" in text
    listed = re.findall(r'id="unit-score-(\d+)"', text)
    assert listed == [str(unit.id) for unit in order[:SCORECARD_ROWS]]
    assert f"Xem tất cả {len(units)} đơn vị" in text
    assert 'href="/quarters/2023-Q2/summary?units=all#units"' in text
    text = client.get("/quarters/2023-Q2/summary?units=all").get_data(as_text=True)
    listed = re.findall(r'id="unit-score-(\d+)"', text)
    assert listed == [str(unit.id) for unit in order]
    assert 'id="every-unit"' not in text


def test_a_plan_with_nothing_held_yet_reads_as_the_plan_not_zero_of_n(
        client, login_as, make_quarter, make_task, db):
    """Two congresses planned, none held: "planned, none held yet: 2", never "0/2"."""
    quarter = make_quarter(2023, 2)
    for number in (1, 2):
        make_task(quarter=quarter, kind="congress", title=f"Đại hội {number}",
                  due_on=dt.date(2023, 6, 30))
    make_task(quarter=quarter, kind="training", title="Lớp tập huấn",
              due_on=dt.date(2023, 6, 30))
    login_as("leader")

    def item(code):
        html = client.get("/quarters/2023-Q2/summary").get_data(as_text=True)
        found = re.search(rf'id="kind-{code}">(.*?)</li>', html, re.S).group(1)
        return " ".join(re.sub(r"<[^>]+>", " ", found).split())

    congresses = item("congress")
    assert "0/2" not in congresses and "2" in congresses
    assert "chưa tổ chức" in congresses or "none held yet" in congresses
    assert "0/1" not in item("training")
    task = db.session.scalar(db.select(Task).where(Task.title == "Đại hội 1"))
    task.status, task.progress, task.completed_on = "done", 100, dt.date(2023, 5, 10)
    db.session.commit()
    assert "1/2" in item("congress")


def test_attention_lists_the_most_urgent_then_all(client, login_as, make_quarter,
                                                  make_task, make_unit):
    from tracker.quarters.summary import ATTENTION_ROWS

    login_as("viewer")
    quarter = make_quarter(2023, 2)
    lead = make_unit()
    # Overdue at 20/06, made latest-due first, two due on each day: the list goes by
    # due date, and two due on the same day in the order they were made.
    tasks = [make_task(quarter=quarter, lead=lead, title=f"Việc quá hạn {n}",
                       due_on=dt.date(2023, 5, 31) - dt.timedelta(days=n // 2))
             for n in range(ATTENTION_ROWS + 3)]
    tasks.sort(key=lambda task: (task.due_on, task.id))
    text = client.get("/quarters/2023-Q2/summary?as_of=2023-06-20").get_data(
        as_text=True)
    section = text[text.index('id="attention"'):]
    listed = re.findall(r'href="/tasks/(\d+)"', section[:section.index("</table>")])
    assert listed == [str(task.id) for task in tasks[:ATTENTION_ROWS]]
    assert f'id="attention-count">{len(tasks)}<' in section
    assert f"Xem tất cả {len(tasks)}" in section
    assert ('href="/quarters/2023-Q2/summary?attention=all&amp;as_of=2023-06-20'
            '#attention"') in section
    text = client.get("/quarters/2023-Q2/summary?attention=all&as_of=2023-06-20"
                      ).get_data(as_text=True)
    section = text[text.index('id="attention"'):]
    listed = re.findall(r'href="/tasks/(\d+)"', section[:section.index("</table>")])
    assert listed == [str(task.id) for task in tasks]
    assert 'id="every-attention"' not in text

"""The print view by unit with groups, outside bodies and co-leads: a group's work
is in its members' rows, marked with its name; an outside body keeps its row; each
scored unit's row counts what the figures' scorecard counts."""
import datetime as dt

import pytest

from tests.helpers import page_text, print_rows, scorecard_in_print
from tracker.extensions import db as _db
from tracker.models import Unit
from tracker.tasks.services import report_share

D = dt.date
AS_OF = "2023-06-20"


@pytest.fixture
def grouped(db, make_quarter, make_unit, make_task):
    """Build 2023-Q2 with a task led by "Khối Dân vận", one led by an outside body,
    one co-led, and one coordinated by the group."""
    quarter = make_quarter(2023, 2)
    bdv = make_unit("Ban Dân vận Huyện ủy", "BDV", kind="party_board")
    mttq = make_unit("Ủy ban MTTQ Việt Nam huyện", "MTTQ", kind="front")
    hnd = make_unit("Hội Nông dân huyện", "HND")
    outside = make_unit("Ban Tuyên giáo Huyện ủy", "BTGHU", kind="external")
    bloc = Unit(name="Khối Dân vận", short_name="Khối DV", kind="group",
                sort_order=50, members=[mttq, hnd])
    db.session.add(bloc)
    db.session.commit()
    led = make_task(quarter=quarter, lead=bloc, kind="welfare",
                    title="Vận động xây dựng nhà đại đoàn kết cho hộ nghèo",
                    status="in_progress", progress=50, due_on=D(2023, 6, 15))
    link = next(link for link in led.unit_links if link.unit_id == mttq.id)
    report_share(link, "done", D(2023, 6, 1), "Đã bàn giao 3 nhà.", None,
                 today=D(2023, 6, 1))
    _db.session.commit()
    make_task(quarter=quarter, lead=outside, coordinating=[bdv], kind="propaganda",
              title="Quán triệt Nghị quyết Trung ương 5", status="done", progress=100,
              completed_on=D(2023, 5, 5), due_on=D(2023, 5, 31))
    make_task(quarter=quarter, lead=bdv, co_lead=[mttq], kind="meeting",
              title="Hội nghị giao ban Khối Dân vận", due_on=D(2023, 6, 10))
    make_task(quarter=quarter, lead=bdv, coordinating=[bloc], kind="advisory",
              title="Tham mưu sơ kết Chỉ thị 16", status="in_progress", progress=20,
              due_on=D(2023, 6, 30))
    return dict(bdv=bdv, mttq=mttq, hnd=hnd, outside=outside, bloc=bloc)


def _row(text, unit):
    row = text[text.index(f'id="unit-{unit.id}"'):]
    return " ".join(row[:row.index("</tr>")].split())


def test_a_group_has_no_row_and_its_members_carry_its_work(client, login_as, grouped):
    login_as("viewer")
    text = page_text(client.get(f"/quarters/2023-Q2/print?as_of={AS_OF}"))
    assert f'id="unit-{grouped["bloc"].id}"' not in text
    # Each member's share, once, marked with the group's name.
    assert text.count("Vận động xây dựng nhà đại đoàn kết cho hộ nghèo") == 2
    for member in ("mttq", "hnd"):
        row = _row(text, grouped[member])
        assert ("Vận động xây dựng nhà đại đoàn kết cho hộ nghèo <span "
                'class="text-body-secondary">(phần việc của đơn vị)</span> <span '
                'class="text-body-secondary print-group">(Khối Dân vận)</span>') in row
    # The member that reported its share done has it done; the other is overdue.
    assert print_rows(text)[grouped["hnd"].id]["overdue"] == 1
    # An outside body has no members: it keeps its row.
    outside = _row(text, grouped["outside"])
    assert "Quán triệt Nghị quyết Trung ương 5" in outside
    assert ("— Ban Tuyên giáo Huyện ủy chủ trì, phối hợp với Ban Dân vận Huyện ủy"
            in outside)
    # A co-lead lists the work it leads, marked so.
    assert "Hội nghị giao ban Khối Dân vận <span class=\"text-body-secondary " \
        "print-co-lead\">(đồng chủ trì)</span>" in _row(text, grouped["mttq"])
    # A coordinating group is named by its name, its members get no row for it.
    assert "— Ban Dân vận Huyện ủy chủ trì, phối hợp với Khối Dân vận" in _row(
        text, grouped["bdv"])
    assert text.count("Tham mưu sơ kết Chỉ thị 16") == 1


def test_the_print_view_counts_what_the_figures_count(client, login_as, grouped):
    login_as("viewer")
    figures = client.get(f"/quarters/2023-Q2/figures.json?as_of={AS_OF}").get_json()
    text = page_text(client.get(f"/quarters/2023-Q2/print?as_of={AS_OF}"))
    assert f"{figures['total']} nhiệm vụ" in text
    printed = print_rows(text)
    expected = scorecard_in_print(figures)
    assert grouped["bloc"].id not in expected  # a group is never scored
    assert expected[grouped["hnd"].id] == (1, 0, 1)  # its share, overdue
    assert expected[grouped["mttq"].id] == (2, 1, 1)  # its share done, a late co-lead
    for unit_id, (items, done, overdue) in expected.items():
        row = printed.get(unit_id, dict(done=0, in_progress=0, not_started=0,
                                        overdue=0))
        assert (row["done"] + row["in_progress"] + row["not_started"], row["done"],
                row["overdue"]) == (items, done, overdue), unit_id
    # Every task is in some row, and only the outside body's row is not scored.
    assert set(printed) - set(expected) == {grouped["outside"].id}

"""Who does a task, as the report says it: the lead, its co-leads (đồng chủ trì) and
the coordinating units, in the .docx, section IV and the print view alike."""
import datetime as dt
import io

import pytest
from docx import Document
from flask_babel import force_locale

from tests.helpers import page_text
from tracker.models import Unit
from tracker.reports import phrases

D = dt.date
BDV = "Ban Dân vận Huyện ủy"
MTTQ = "Ủy ban MTTQ Việt Nam huyện"
HND = "Hội Nông dân huyện"
TINH_HA, TINH_TRA = "Đảng ủy xã Tịnh Hà", "Đảng ủy xã Tịnh Trà"


@pytest.mark.parametrize("leads, coordinating, said, alone", [
    ([BDV], [], f"{BDV} đã tổ chức Hội nghị", f"{BDV} chủ trì"),
    ([BDV, MTTQ], [], f"{BDV} đã phối hợp với {MTTQ} tổ chức Hội nghị",
     f"{BDV} phối hợp với {MTTQ}"),
    ([BDV], [HND], f"{BDV} đã chủ trì, phối hợp với {HND} tổ chức Hội nghị",
     f"{BDV} chủ trì, phối hợp với {HND}"),
    ([BDV, MTTQ], [HND],
     f"{BDV} và {MTTQ} đã đồng chủ trì, phối hợp với {HND} tổ chức Hội nghị",
     f"{BDV} và {MTTQ} đồng chủ trì, phối hợp với {HND}"),
    ([BDV, MTTQ, HND], [TINH_HA, TINH_TRA],
     f"{BDV}, {MTTQ} và {HND} đã đồng chủ trì, phối hợp với Đảng ủy các xã Tịnh Hà "
     "và Tịnh Trà tổ chức Hội nghị",
     f"{BDV}, {MTTQ} và {HND} đồng chủ trì, phối hợp với Đảng ủy các xã Tịnh Hà và "
     "Tịnh Trà"),
    # A group is named by its own name.
    (["Khối Dân vận"], [BDV], f"Khối Dân vận đã chủ trì, phối hợp với {BDV} tổ chức "
     "Hội nghị", f"Khối Dân vận chủ trì, phối hợp với {BDV}"),
    # Many communes are counted, as a board writes "Đảng ủy 11 xã".
    ([BDV], [f"Đảng ủy xã {n}" for n in "ABCDEFGHIJK"],
     f"{BDV} đã chủ trì, phối hợp với Đảng ủy 11 xã tổ chức Hội nghị",
     f"{BDV} chủ trì, phối hợp với Đảng ủy 11 xã"),
    # A unit named twice, or both leading and coordinating, is named once.
    ([BDV, MTTQ, MTTQ], [MTTQ], f"{BDV} đã phối hợp với {MTTQ} tổ chức Hội nghị",
     f"{BDV} phối hợp với {MTTQ}"),
    ([], [HND], "đã tổ chức Hội nghị", ""),
])
def test_who_does_the_work(leads, coordinating, said, alone):
    who = phrases.doers(leads, coordinating)
    assert who.say("đã", "tổ chức Hội nghị") == said
    assert who.text == alone


def test_a_denial_is_said_of_the_work_and_coordination_is_said_once():
    who = phrases.doers([BDV], [HND])
    assert who.say("chưa", "tổ chức Hội nghị") == (
        f"{BDV} chủ trì, phối hợp với {HND} chưa tổ chức Hội nghị")
    assert who.say("đang", "phối hợp giải quyết kiến nghị") == (
        f"{BDV} đang chủ trì, phối hợp với {HND} giải quyết kiến nghị")
    # Alone, the lead keeps its title's words.
    assert phrases.doers([BDV]).say("đang", "phối hợp giải quyết kiến nghị") == (
        f"{BDV} đang phối hợp giải quyết kiến nghị")


def test_names_phrase():
    assert phrases.names_phrase([]) == ""
    assert phrases.names_phrase([HND]) == HND
    assert phrases.names_phrase([HND, MTTQ, BDV]) == f"{HND}, {MTTQ} và {BDV}"
    assert phrases.names_phrase([TINH_HA, TINH_TRA]) == (
        "Đảng ủy các xã Tịnh Hà và Tịnh Trà")


@pytest.mark.parametrize("leads, coordinating, english", [
    ([BDV], [], f"{BDV} leads"),
    ([BDV, MTTQ], [], f"{BDV}, jointly with {MTTQ}"),
    ([BDV], [HND, MTTQ], f"{BDV} leads, with {HND} and {MTTQ} coordinating"),
    ([BDV, MTTQ], [HND], f"{BDV} and {MTTQ} lead jointly, with {HND} coordinating"),
])
def test_a_page_says_it_in_its_language(app, leads, coordinating, english):
    with app.test_request_context():
        with force_locale("vi"):
            assert phrases.doers_note(leads, coordinating) == phrases.doers(
                leads, coordinating).text
        with force_locale("en"):
            assert phrases.doers_note(leads, coordinating) == english


@pytest.fixture
def shared_quarter(db, make_quarter, make_unit, make_task):
    """Build 2023-Q1 with a co-led meeting, a co-led and coordinated review, and a
    task led by a group."""
    quarter = make_quarter(2023, 1)
    bdv = make_unit(BDV, "BDV", kind="party_board")
    mttq = make_unit(MTTQ, "MTTQ", kind="front")
    hnd = make_unit(HND, "HND")
    bloc = Unit(name="Khối Dân vận", short_name="Khối DV", kind="group",
                sort_order=50, members=[mttq, hnd])
    db.session.add(bloc)
    db.session.commit()
    tasks = dict(
        meeting=make_task(
            quarter=quarter, lead=bdv, co_lead=[mttq], kind="meeting",
            title="Hội nghị tuyên truyền Luật Thực hiện dân chủ ở cơ sở",
            status="done", progress=100, held_on=D(2023, 3, 20),
            completed_on=D(2023, 3, 20)),
        review=make_task(
            quarter=quarter, lead=bdv, co_lead=[mttq], coordinating=[hnd],
            kind="review", title="Sơ kết 5 năm thực hiện Chỉ thị số 16-CT/HU",
            status="done", progress=100, completed_on=D(2023, 3, 10),
            due_on=D(2023, 3, 31)),
        by_bloc=make_task(
            quarter=quarter, lead=bloc, kind="mobilisation",
            title="Vận động nhân dân hiến đất làm đường giao thông nông thôn",
            status="in_progress", progress=40, due_on=D(2023, 3, 31)),
    )
    return dict(quarter=quarter, bdv=bdv, mttq=mttq, hnd=hnd, bloc=bloc, **tasks)


def test_the_report_names_co_leads_and_groups(client, login_as, shared_quarter):
    login_as("viewer")
    document = Document(io.BytesIO(client.get("/quarters/2023-Q1/report.docx").data))
    body = "\n".join(p.text for p in document.paragraphs)
    assert (f"- Ngày 20/3, {BDV} phối hợp với {MTTQ} tổ chức Hội nghị tuyên truyền "
            "Luật Thực hiện dân chủ ở cơ sở.") in body
    assert (f"- {BDV} và {MTTQ} đã đồng chủ trì, phối hợp với {HND} sơ kết 5 năm thực "
            "hiện Chỉ thị số 16-CT/HU, hoàn thành ngày 10/03/2023.") in body
    assert ("- Khối Dân vận đang vận động nhân dân hiến đất làm đường giao thông nông "
            "thôn, đạt 40% kế hoạch") in body


def test_section_four_names_the_co_leads(client, login_as, db, shared_quarter,
                                         make_quarter, make_task):
    from tracker.reports.services import get_organisation, save_organisation

    save_organisation(dict(unit_id=shared_quarter["bdv"].id), None)
    db.session.commit()
    q2 = make_quarter(2023, 2, state="planning")
    make_task(quarter=q2, lead=shared_quarter["bdv"], co_lead=[shared_quarter["mttq"]],
              kind="meeting", title="Hội nghị giao ban Khối Dân vận quý II")
    make_task(quarter=q2, lead=shared_quarter["bdv"],
              coordinating=[shared_quarter["hnd"]], kind="meeting",
              title="Hội nghị trực báo quý II")
    assert get_organisation().unit_id == shared_quarter["bdv"].id
    login_as("viewer")
    document = Document(io.BytesIO(client.get("/quarters/2023-Q1/report.docx").data))
    body = "\n".join(p.text for p in document.paragraphs)
    plan = body[body.index("IV. PHƯƠNG HƯỚNG"):]
    assert (f"- Tổ chức hội nghị giao ban Khối Dân vận quý II ({BDV} phối hợp với "
            f"{MTTQ}).") in plan
    # The board alone with units it coordinates: the board's own plan needs no note.
    assert "- Tổ chức hội nghị trực báo quý II." in plan


def test_the_print_view_says_who_in_the_pages_language(client, login_as,
                                                        shared_quarter):
    login_as("viewer")
    text = " ".join(page_text(client.get("/quarters/2023-Q1/print")).split())
    assert f"— {BDV} và {MTTQ} đồng chủ trì, phối hợp với {HND}" in text
    assert f"— {BDV} phối hợp với {MTTQ}" in text
    text = " ".join(page_text(client.get("/quarters/2023-Q1/print?lang=en")).split())
    assert f"— {BDV} and {MTTQ} lead jointly, with {HND} coordinating" in text
    assert f"— {BDV}, jointly with {MTTQ}" in text

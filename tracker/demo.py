"""Demo data: Sơn Tịnh district's board, Q1 2023 results and Q2 2023 tasks.

Transcribed from the article the project grew from (the quarterly briefing of
31/03/2023); the application never reads that source at run time. Beside it, the
province's board above it and a second district (Bình Sơn), with a few tasks each,
so the province's roll-up has something to add up.
"""
import datetime as dt

from sqlalchemy import select

from tracker.boards import scope
from tracker.extensions import db
from tracker.models import (
    Board,
    BriefingMeeting,
    BriefingProposal,
    Organisation,
    Quarter,
    QuarterReport,
    Unit,
    User,
)
from tracker.files import demo as demo_files
from tracker.petitions.services import record_imported_counts
from tracker.tasks import services

D = dt.date
COMMUNES = (
    "Tịnh Bắc", "Tịnh Bình", "Tịnh Đông", "Tịnh Giang", "Tịnh Hà", "Tịnh Hiệp",
    "Tịnh Minh", "Tịnh Phong", "Tịnh Sơn", "Tịnh Thọ", "Tịnh Trà",
)
DEMO_PASSWORD = "demo"

UNITS = (
    # short name, name, kind, parent short name
    ("BTVHU", "Ban Thường vụ Huyện ủy Sơn Tịnh", "party_committee", None),
    ("BDV", "Ban Dân vận Huyện ủy Sơn Tịnh", "party_board", "BTVHU"),
    ("MTTQ", "Ủy ban Mặt trận Tổ quốc Việt Nam huyện Sơn Tịnh", "front", None),
    ("HND", "Hội Nông dân huyện Sơn Tịnh", "mass_org", "MTTQ"),
    ("LĐLĐ", "Liên đoàn Lao động huyện Sơn Tịnh", "mass_org", "MTTQ"),
    ("HLHPN", "Hội Liên hiệp Phụ nữ huyện Sơn Tịnh", "mass_org", "MTTQ"),
    ("ĐTN", "Huyện đoàn Sơn Tịnh (Đoàn Thanh niên)", "mass_org", "MTTQ"),
    ("HCCB", "Hội Cựu chiến binh huyện Sơn Tịnh", "mass_org", "MTTQ"),
) + tuple(
    (f"ĐU {name}", f"Đảng ủy xã {name}", "commune_party_committee", "BTVHU")
    for name in COMMUNES
) + (
    # The level below a commune: two of Tịnh Trà's villages, whose Party cells
    # take shares of the commune's work.
    ("CB Trà Bình", "Chi bộ thôn Trà Bình", "village", "ĐU Tịnh Trà"),
    ("CB Trà Lạc", "Chi bộ thôn Trà Lạc", "village", "ĐU Tịnh Trà"),
    # Outside the board's system: they lead or coordinate, have no accounts and
    # are not scored.
    ("BTGHU", "Ban Tuyên giáo Huyện ủy", "external", None),
    ("VPHU", "Văn phòng Huyện ủy", "external", None),
    ("BDVTU", "Ban Dân vận Tỉnh ủy", "external", None),
)

USERS = (
    ("quantri", "Quản trị hệ thống", "admin", ()),
    ("lanhdao", "Nguyễn Văn Lãnh (Trưởng Ban Dân vận)", "leader", ("BDV",)),
    ("canbo_bdv", "Trần Thị Bích (cán bộ Ban Dân vận)", "staff", ("BDV",)),
    ("canbo_hnd", "Lê Văn Hòa (cán bộ Hội Nông dân)", "staff", ("HND",)),
    ("khach", "Khách xem", "viewer", ()),
)

# A commune's staff: the demo's only account of a unit outside the district's bodies
# (kept apart from USERS, which the generator gives units of its own).
COMMUNE_USERS = (
    ("canbo_xa", "Huỳnh Thị Xuân (cán bộ Đảng ủy xã Tịnh Trà)", "staff",
     ("ĐU Tịnh Trà",)),
)

MASS_ORGS = ("MTTQ", "HND", "LĐLĐ", "HLHPN", "ĐTN", "HCCB")
COMMUNE_UNITS = tuple(f"ĐU {name}" for name in COMMUNES)
# Groups of units that lead or coordinate as one: (short name, name, members).
GROUPS = (
    ("Khối DV", "Khối Dân vận", MASS_ORGS),
    ("Các cơ sở", "Các cơ sở", COMMUNE_UNITS),
)


def has_data():
    """Tell whether the database already holds units or quarters."""
    return (
        db.session.scalar(select(Unit.id).limit(1)) is not None
        or db.session.scalar(select(Quarter.id).limit(1)) is not None
    )


def _at(day, hour=9):
    """Return a stored (UTC) timestamp for a local working hour on a day."""
    return dt.datetime(day.year, day.month, day.day, hour) - dt.timedelta(hours=7)


def _boards():
    """Return the province's board and its two districts' (Sơn Tịnh, Bình Sơn).

    A fresh database holds one empty board (the migrations make it): Sơn Tịnh's.
    """
    boards = db.session.scalars(
        select(Board).order_by(Board.id), execution_options={"all_boards": True}
    ).all()
    son_tinh = boards[0] if len(boards) == 1 else Board()
    son_tinh.code, son_tinh.name, son_tinh.level = (
        "son-tinh", "Ban Dân vận Huyện ủy Sơn Tịnh", "district")
    db.session.add(son_tinh)
    db.session.flush()  # renamed first: the empty board may have had any code
    province = Board(code="quang-ngai", name="Ban Dân vận Tỉnh ủy Quảng Ngãi",
                     level="province")
    binh_son = Board(code="binh-son", name="Ban Dân vận Huyện ủy Bình Sơn",
                     level="district", parent=province, sort_order=2)
    son_tinh.parent, son_tinh.sort_order = province, 1
    db.session.add_all([province, son_tinh, binh_son])
    db.session.flush()
    return province, son_tinh, binh_son


def load_demo(as_of=None):
    """Create the demo boards, units, accounts, quarters, tasks and history.

    With as_of (a date: "today"), Sơn Tịnh also gets the quarter holding that day and
    the two before it (see load_live). Returns a summary of what was made.
    """
    province, son_tinh, binh_son = _boards()
    with scope.boards([son_tinh.id]):
        summary = _load_son_tinh()
        if as_of is not None:
            summary = _add(summary, load_live(as_of))
            _load_follow_up(as_of)
    with scope.boards([binh_son.id]):
        summary = _add(summary, _load_binh_son())
    with scope.boards([province.id]):
        summary = _add(summary, _load_province())
    summary["boards"] = 3
    db.session.flush()
    return summary


def _add(one, other):
    return {key: one[key] + other.get(key, 0) for key in one}


def load_son_tinh():
    """Create Sơn Tịnh's units, accounts, quarters, tasks and history only.

    They go to the board in scope, else the installation's first: an installation
    of one board, as every installation was before boards (the migrations' tests).
    """
    return _load_son_tinh()


def _load_son_tinh():
    """Create Sơn Tịnh's units, accounts, quarters, tasks and history."""
    units = {}
    for order, (short, name, kind, parent) in enumerate(UNITS):
        unit = Unit(
            name=name, short_name=short, kind=kind, sort_order=order,
            parent=units.get(parent),
        )
        db.session.add(unit)
        units[short] = unit
    db.session.flush()
    grouped = _has_table("unit_group_member")
    if grouped:
        units.update(_groups(units, len(UNITS)))

    users = {}
    for username, full_name, role, unit_names in USERS + COMMUNE_USERS:
        user = User(username=username, full_name=full_name, role=role,
                    is_installation_admin=role == "admin")
        user.set_password(DEMO_PASSWORD)
        user.units = [units[name] for name in unit_names]
        db.session.add(user)
        users[username] = user
    db.session.flush()

    q1 = Quarter(year=2023, number=1, state="active", briefing_on=D(2023, 3, 31))
    q2 = Quarter(year=2023, number=2, state="planning", briefing_on=D(2023, 6, 30))
    db.session.add_all([q1, q2])
    db.session.flush()

    ids = lambda names: [units[name].id for name in names]  # noqa: E731
    staff, hnd, leader = users["canbo_bdv"], users["canbo_hnd"], users["lanhdao"]
    # Before the tasks: holding the Trade Union's congress moves its term forward.
    if _has_table("congress_term"):
        _congress_terms(units, leader)
    created = []

    # The communes a task is tied to (its scope), where the schema has them.
    scoped = _has_table("task_scope")

    def task(quarter, when, user, coordinating=(), participating=(), scope=(),
             **data):
        data["lead_unit_id"] = units[data.pop("lead")].id
        item = services.create_task(
            quarter, data, user, coordinating=ids(coordinating),
            participating=ids(participating), scope=ids(scope) if scoped else (),
        )
        item.updates[-1].created_at = _at(when)
        item.created_at = _at(when)
        created.append(item)
        return item

    def progress(item, when, user, status, pct, note, completed_on=None):
        update = services.report_progress(
            item, status, pct, note, user, completed_on=completed_on, today=when
        )
        update.created_at = _at(when, 15)
        return update

    def share(item, short, when, user, status, note):
        link = next(link for link in item.unit_links if link.unit_id == units[short].id)
        done_on = when if status == "done" else None
        update = services.report_share(link, status, done_on, note, user, today=when)
        update.created_at = _at(when, 16)
        link.share_updated_at = update.created_at
        return update

    # ---- Q1 2023: the results reported at the briefing of 31/03/2023 ----
    t = task(
        q1, D(2023, 1, 5), staff, kind="mobilisation",
        title="Phối hợp giải quyết các vấn đề bức xúc của nhân dân, nhất là vận động "
        "nhân dân đồng thuận trong công tác bồi thường giải phóng mặt bằng",
        description="Vận động nhân dân đồng thuận để chủ đầu tư thực hiện dự án bảo "
        "đảm kế hoạch, tiến độ đề ra.",
        lead="BDV", coordinating=("MTTQ",),
        source_document="Kế hoạch số 12-KH/BDVHU",
    )
    progress(t, D(2023, 2, 20), staff, "in_progress", 40,
             "Đã phối hợp vận động 32/45 hộ đồng thuận bàn giao mặt bằng.")
    progress(t, D(2023, 3, 28), staff, "in_progress", 70,
             "Còn 8 hộ chưa đồng thuận; tiếp tục vận động trong quý II.")

    t = task(
        q1, D(2023, 1, 5), staff, kind="mobilisation",
        title="Đẩy mạnh thực hiện công tác dân vận ở xã",
        description="Thường xuyên đổi mới và nâng cao hiệu quả công tác dân vận.",
        lead="BDV", coordinating=COMMUNE_UNITS,
    )
    progress(t, D(2023, 3, 15), staff, "in_progress", 60,
             "Đã làm việc với Đảng ủy 7/11 xã.")

    t = task(
        q1, D(2023, 1, 6), staff, kind="movement",
        title="Thực hiện phong trào thi đua “Dân vận khéo” năm 2023",
        lead="BDV", coordinating=MASS_ORGS, due_on=D(2023, 12, 31),
        campaign_name="Dân vận khéo",
        source_document="Kế hoạch số 05-KH/BDVHU",
    )
    progress(t, D(2023, 3, 25), staff, "in_progress", 25,
             "46 mô hình “Dân vận khéo” đăng ký năm 2023.")
    if _has_table("initiative"):
        _initiatives(t, units, users)

    task(
        q1, D(2023, 1, 6), staff, kind="monitoring",
        title="Theo dõi, nắm bắt tình hình tâm tư nguyện vọng, vụ việc, vấn đề bức xúc, "
        "phản ánh, kiến nghị của nhân dân để tham mưu cấp ủy kịp thời chỉ đạo giải quyết",
        lead="BDV", is_recurring=True, status="in_progress", progress=0,
    )

    t = task(
        q1, D(2023, 1, 10), staff, kind="dialogue",
        title="Chuẩn bị điều kiện để đồng chí Bí thư Huyện ủy tiếp xúc, đối thoại với "
        "nhân dân xã Tịnh Trà",
        lead="BDV", coordinating=("ĐU Tịnh Trà",), chair="Bí thư Huyện ủy",
        commune="xã Tịnh Trà", target_count=1, achieved_count=1, target_label="cuộc",
        held_on=D(2023, 3, 9), participants=160, scope=("ĐU Tịnh Trà",),
    )
    _imported_counts(t, 14, 14, staff)
    progress(t, D(2023, 3, 10), staff, "done", 100,
             "Hội nghị tiếp xúc, đối thoại tổ chức ngày 09/3/2023; 14 ý kiến đã được "
             "trả lời, giải đáp.", completed_on=D(2023, 3, 9))

    # Led by the communes as one ("Các cơ sở"): each commune reports its own share.
    t = task(
        q1, D(2023, 1, 10), staff, kind="dialogue",
        title="Bí thư Đảng ủy 11 xã tổ chức tiếp xúc, đối thoại với nhân dân",
        **(dict(lead="Các cơ sở") if grouped
           else dict(lead="BDV", participating=COMMUNE_UNITS)),
        chair="Bí thư Đảng ủy xã",
        commune="11 xã", target_count=11, achieved_count=11, target_label="cuộc",
        participants=1250,
    )
    _imported_counts(t, 96, 91, staff)
    for number, short in enumerate(COMMUNE_UNITS):
        share(t, short, D(2023, 2, 6) + dt.timedelta(days=4 * number), staff, "done",
              "Đã tổ chức tiếp xúc, đối thoại.")
    progress(t, D(2023, 3, 27), staff, "done", 100,
             "11/11 xã đã tổ chức tiếp xúc, đối thoại.")

    # ---- Q2 2023: the tasks deployed at the briefing ----
    t = task(
        q2, D(2023, 4, 3), staff, kind="advisory",
        title="Tham mưu Thường trực, Ban Thường vụ Huyện ủy chỉ đạo Mặt trận, các tổ "
        "chức chính trị - xã hội thực hiện Chương trình hành động thực hiện Nghị quyết "
        "Đại hội XIII của Đảng, Nghị quyết Đại hội Đảng bộ tỉnh lần thứ XX, Nghị quyết "
        "Đại hội Đảng bộ huyện lần thứ XIX về công tác dân vận",
        lead="BDV", coordinating=("Khối DV",) if grouped else MASS_ORGS,
    )
    progress(t, D(2023, 5, 12), staff, "in_progress", 50,
             "Đã ban hành văn bản hướng dẫn; các tổ chức đang triển khai.")

    task(
        q2, D(2023, 4, 3), staff, kind="advisory",
        title="Tổ chức thực hiện có hiệu quả các chủ trương của Trung ương, Tỉnh ủy, "
        "Huyện ủy về công tác dân vận",
        lead="BDV", is_recurring=True,
    )

    t = task(
        q2, D(2023, 4, 4), staff, kind="democracy",
        title="Thực hiện nghiêm túc Quy chế dân chủ ở cơ sở với phương châm “Dân biết, "
        "dân bàn, dân làm, dân kiểm tra, dân giám sát, dân thụ hưởng”",
        lead="BDV", participating=COMMUNE_UNITS,
    )
    for number, short in enumerate(COMMUNE_UNITS[:8]):
        update = share(t, short, D(2023, 5, 2) + dt.timedelta(days=3 * number), staff,
                       "done", "Đã rà soát, báo cáo kết quả thực hiện QCDC.")
        if number == 0 and demo_files.has_files():
            demo_files.attach(update, staff, {
                "Báo cáo kết quả thực hiện QCDC.pdf": demo_files.report_pdf(
                    "Bao cao ket qua thuc hien Quy che dan chu o co so"),
            }, "share", units[short].id)
    share(t, COMMUNE_UNITS[8], D(2023, 5, 30), staff, "in_progress",
          "Đang hoàn thiện báo cáo.")

    task(
        q2, D(2023, 4, 4), staff, kind="movement",
        title="Đẩy mạnh thực hiện Cuộc vận động “Ngày vì người nghèo”",
        lead="MTTQ", coordinating=("BDV",), campaign_name="Ngày vì người nghèo",
    )
    task(
        q2, D(2023, 4, 4), staff, kind="movement",
        title="Đẩy mạnh thực hiện Cuộc vận động “Người Việt Nam ưu tiên dùng hàng "
        "Việt Nam”",
        lead="MTTQ", coordinating=("BDV",),
        campaign_name="Người Việt Nam ưu tiên dùng hàng Việt Nam",
    )
    t = task(
        q2, D(2023, 4, 5), staff, kind="movement",
        title="Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh theo chủ đề "
        "năm 2023 và chủ điểm từng quý",
        lead="BDV", coordinating=MASS_ORGS,
        campaign_name="Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    )
    progress(t, D(2023, 5, 19), staff, "in_progress", 40,
             "Đã triển khai chủ điểm quý II.")

    t = task(
        q2, D(2023, 4, 6), hnd, kind="congress",
        title="Đại hội đại biểu Hội Nông dân huyện lần thứ XII, nhiệm kỳ 2023–2028",
        lead="HND", coordinating=("BDV",), organisation="Hội Nông dân huyện Sơn Tịnh",
        congress_ordinal=12, term_start=2023, term_end=2028, delegates=150,
        source_document="Kế hoạch số 20-KH/HND",
    )
    progress(t, D(2023, 5, 8), hnd, "in_progress", 45,
             "Đã hoàn thành đại hội cấp cơ sở ở 9/11 xã.")

    t = task(
        q2, D(2023, 4, 6), staff, kind="congress",
        title="Đại hội Công đoàn huyện lần thứ XIX, nhiệm kỳ 2023–2028",
        lead="LĐLĐ", coordinating=("BDV",),
        organisation="Liên đoàn Lao động huyện Sơn Tịnh",
        congress_ordinal=19, term_start=2023, term_end=2028, delegates=120,
        held_on=D(2023, 5, 25),
    )
    update = progress(t, D(2023, 5, 26), staff, "done", 100,
                      "Đại hội tổ chức thành công ngày 25/5/2023 với 120 đại biểu.",
                      completed_on=D(2023, 5, 25))
    if demo_files.has_files():
        demo_files.attach(update, staff, {
            "Biên bản Đại hội Công đoàn huyện lần thứ XIX.docx":
            demo_files.minutes_docx(
                "Biên bản Đại hội Công đoàn huyện Sơn Tịnh lần thứ XIX",
                ["Thời gian: 07 giờ 30 ngày 25/5/2023.",
                 "Địa điểm: Hội trường Huyện ủy Sơn Tịnh.",
                 "Đại biểu: 120 đồng chí được triệu tập, có mặt 120 đồng chí.",
                 "Đại hội đã bầu Ban Chấp hành nhiệm kỳ 2023–2028 gồm 21 đồng chí."]),
            "Danh sách đoàn đại biểu.xlsx": demo_files.list_xlsx(
                ["STT", "Đoàn đại biểu", "Số đại biểu"],
                [[1, "Khối cơ quan Đảng, đoàn thể huyện", 24],
                 [2, "Khối cơ quan quản lý nhà nước huyện", 38],
                 [3, "Ngành Giáo dục và Đào tạo", 41],
                 [4, "Công đoàn cơ sở các xã", 17]]),
            "Ảnh đại hội.png": demo_files.photo_png(),
        })

    task(
        q2, D(2023, 4, 7), staff, kind="training",
        title="Lớp tập huấn nghiệp vụ công tác dân vận, quy chế dân chủ ở cơ sở",
        description="Xây dựng kế hoạch tổ chức lớp tập huấn.",
        lead="BDV",
        audience="Cán bộ, công chức, người hoạt động không chuyên trách làm công tác "
        "dân vận từ huyện đến cơ sở; thành viên Ban Chỉ đạo QCDC",
        sessions=2, trainees_planned=180,
    )

    t = task(
        q2, D(2023, 4, 7), staff, kind="dialogue",
        title="Tham mưu thực hiện kế hoạch tiếp xúc, đối thoại giữa Bí thư Huyện ủy với "
        "nhân dân trong huyện năm 2023",
        lead="BDV", coordinating=COMMUNE_UNITS, chair="Bí thư Huyện ủy",
        due_on=D(2023, 12, 31), target_count=4, target_label="cuộc",
    )
    progress(t, D(2023, 6, 2), leader, "in_progress", 25,
             "Đã đối thoại tại xã Tịnh Trà (quý I); chuẩn bị cuộc tại xã Tịnh Hiệp.")
    if _has_table("petition"):
        _petitions(t, units, staff, users["canbo_hnd"])
    if _has_table("comment"):
        _discussion(t, staff, users["canbo_hnd"], leader)

    _report_settings(units, q1, leader)
    if _has_table("briefing_meeting"):
        _briefing_meeting(q1, leader)
    db.session.flush()
    return {"units": len(units), "users": len(users), "quarters": 2,
            "tasks": len(created)}


def _groups(units, order):
    """Create the groups of units (GROUPS) after the units; return them by short name."""
    groups = {}
    for offset, (short, name, members) in enumerate(GROUPS):
        group = Unit(name=name, short_name=short, kind="group",
                     sort_order=order + offset)
        group.members = [units[member] for member in members]
        db.session.add(group)
        groups[short] = group
    db.session.flush()
    return groups


RECIPIENTS = """- Ban Dân vận Tỉnh ủy (b/c),
- Thường trực Huyện ủy (b/c),
- Các đồng chí Ủy viên Ban Thường vụ Huyện ủy,
- Ủy ban MTTQ và các đoàn thể chính trị - xã hội huyện,
- Đảng ủy các xã,
- Lưu BDVHU."""


# The district's organisations: (unit, name, last congress, term start, held on).
# The Farmers' and the Trade Union's terms end in 2023 (the briefing's congresses).
DISTRICT_TERMS = (
    ("MTTQ", "Ủy ban Mặt trận Tổ quốc Việt Nam huyện Sơn Tịnh", 13, 2019, D(2019, 7, 4)),
    ("HND", "Hội Nông dân huyện Sơn Tịnh", 11, 2018, D(2018, 6, 20)),
    ("LĐLĐ", "Liên đoàn Lao động huyện Sơn Tịnh", 18, 2018, D(2018, 6, 28)),
    ("HLHPN", "Hội Liên hiệp Phụ nữ huyện Sơn Tịnh", 23, 2021, D(2021, 5, 12)),
    ("ĐTN", "Đoàn Thanh niên Cộng sản Hồ Chí Minh huyện Sơn Tịnh", 20, 2022,
     D(2022, 8, 18)),
    ("HCCB", "Hội Cựu chiến binh huyện Sơn Tịnh", 7, 2022, D(2022, 6, 9)),
)
# The communes' Farmers' Associations: nine held their congresses before the
# district's (spring 2023), two have not yet.
COMMUNE_FARMERS_NOT_YET = ("Tịnh Hiệp", "Tịnh Thọ")



def _congress_terms(units, leader):
    """Record the terms of the district's organisations and the communes' Farmers'."""
    from tracker.congresses.services import create_term

    for short, name, ordinal, start, held in DISTRICT_TERMS:
        create_term(dict(organisation=name, level="district", unit_id=units[short].id,
                         ordinal=ordinal, term_start=start, term_end=start + 5,
                         last_held_on=held), leader)
    for number, commune in enumerate(COMMUNES):
        if commune in COMMUNE_FARMERS_NOT_YET:
            start, held = 2018, D(2018, 4, 10 + number)
        else:
            start, held = 2023, D(2023, 3 if number < 5 else 4, 8 + 2 * number)
        create_term(dict(organisation=f"Hội Nông dân xã {commune}", level="commune",
                         unit_id=units[f"ĐU {commune}"].id,
                         ordinal=10 if number % 3 else 11, term_start=start,
                         term_end=start + 5, last_held_on=held), leader)


def _report_settings(units, q1, leader):
    """Add the board's report settings and the Q1 2023 briefing report's own parts."""
    db.session.add(Organisation(
        superior_body="HUYỆN ỦY SƠN TỊNH", issuing_body="BAN DÂN VẬN",
        issuer_code="BDVHU", place="Sơn Tịnh", unit=units["BDV"],
        signer_name="Nguyễn Văn Lãnh", recipients=RECIPIENTS,
    ))
    db.session.add(QuarterReport(
        quarter=q1, number="15-BC/BDVHU", issued_on=D(2023, 3, 31), place="Sơn Tịnh",
        signer_name="Nguyễn Văn Lãnh", signer_title="head", recipients=RECIPIENTS,
        summary_line="kết quả công tác dân vận quý I, phương hướng, nhiệm vụ quý II "
        "năm 2023",
        public_mood="Trong quý I năm 2023, tình hình tư tưởng, tâm trạng của cán bộ, "
        "đảng viên và nhân dân trên địa bàn huyện cơ bản ổn định; nhân dân phấn khởi, "
        "tin tưởng vào sự lãnh đạo của Đảng, sự quản lý, điều hành của chính quyền các "
        "cấp, tích cực tham gia các phong trào thi đua yêu nước, phát triển kinh tế - "
        "xã hội ở địa phương.\n"
        "Tuy nhiên, một bộ phận nhân dân trong vùng dự án còn băn khoăn về đơn giá bồi "
        "thường, hỗ trợ khi Nhà nước thu hồi đất, chưa đồng thuận bàn giao mặt bằng "
        "cho chủ đầu tư; một số vụ việc, vấn đề bức xúc, phản ánh, kiến nghị của nhân "
        "dân chưa được giải quyết dứt điểm.",
        strengths="Ban Dân vận Huyện ủy đã triển khai thực hiện các nhiệm vụ theo kế "
        "hoạch; phối hợp giải quyết các vấn đề bức xúc của nhân dân, nhất là vận động "
        "nhân dân đồng thuận trong công tác bồi thường, giải phóng mặt bằng; thường "
        "xuyên đổi mới và nâng cao hiệu quả công tác dân vận.\n"
        "Chuẩn bị tốt các điều kiện cần thiết để đồng chí Bí thư Huyện ủy tổ chức tiếp "
        "xúc, đối thoại với nhân dân xã Tịnh Trà theo kế hoạch; Bí thư Đảng ủy 11 xã "
        "đã tổ chức 11 cuộc tiếp xúc, đối thoại với nhân dân 11 xã trên địa bàn huyện.",
        shortcomings="Công tác vận động nhân dân đồng thuận trong bồi thường, giải "
        "phóng mặt bằng ở một số dự án còn chậm, chưa đạt tiến độ đề ra. Nguyên nhân: "
        "một số hộ dân chưa thống nhất với phương án bồi thường, hỗ trợ; sự phối hợp "
        "giữa các cơ quan, đơn vị có lúc chưa chặt chẽ.\n"
        "Việc theo dõi, nắm bắt tình hình nhân dân ở một số cơ sở có lúc chưa kịp "
        "thời.",
        proposals="Đề nghị Thường trực Huyện ủy tiếp tục quan tâm chỉ đạo các cơ quan, "
        "đơn vị phối hợp giải quyết dứt điểm các vụ việc, vấn đề bức xúc, kiến nghị "
        "chính đáng của nhân dân, nhất là trong công tác bồi thường, giải phóng mặt "
        "bằng.",
        updated_by=leader,
    ))


# ---- the other boards: a few tasks each, for the province's roll-up ----

BINH_SON_COMMUNES = ("Bình Thạnh", "Bình Đông", "Bình Trị", "Bình Hải", "Bình Châu",
                     "Bình Chánh")


def _small_board(unit_rows, user_rows, org):
    """Add a board's units, accounts and report settings; return (units, users)."""
    units = {}
    for order, (short, name, kind) in enumerate(unit_rows):
        units[short] = Unit(name=name, short_name=short, kind=kind, sort_order=order)
        db.session.add(units[short])
    users = {}
    for username, full_name, role, unit_names in user_rows:
        user = User(username=username, full_name=full_name, role=role)
        user.set_password(DEMO_PASSWORD)
        user.units = [units[name] for name in unit_names]
        db.session.add(user)
        users[username] = user
    db.session.flush()
    db.session.add(Organisation(unit=units["BDV"], **org))
    return units, users


def _petitions(task, units, staff, hnd):
    """Give the year's dialogue petitions in each state, one overdue for an answer."""
    from tracker.petitions import services as petitions

    def raised(when, **data):
        item = petitions.create_petition(task, data, staff)
        item.created_at = item.updates[-1].created_at = _at(when)
        return item

    raised(D(2023, 4, 25), citizen="Hộ ông Nguyễn Văn Tám và 12 hộ",
           commune="xã Tịnh Hiệp, thôn Trường Thọ", field="land",
           content="Đề nghị sớm cấp giấy chứng nhận quyền sử dụng đất cho các hộ đã "
           "sử dụng ổn định từ trước năm 1993.",
           answering_unit_id=units["ĐU Tịnh Hiệp"].id, due_on=D(2023, 6, 30))
    late = raised(D(2023, 4, 25), commune="xã Tịnh Hiệp", field="compensation",
                  content="Đề nghị chi trả phần tiền bồi thường còn lại cho các hộ "
                  "bị ảnh hưởng dự án đường ven biển.",
                  answering_body="UBND huyện Sơn Tịnh", due_on=D(2023, 5, 10))
    petitions.forward_petition(late, staff, D(2023, 4, 27),
                               "Công văn số 45-CV/BDVHU gửi UBND huyện")
    answered = raised(D(2023, 4, 25), citizen="Hội viên Hội Nông dân thôn Bình Đông",
                      commune="xã Tịnh Hiệp, thôn Bình Đông", field="policy",
                      content="Đề nghị hỗ trợ vốn vay ưu đãi để chuyển đổi cây trồng.",
                      answering_unit_id=units["HND"].id, due_on=D(2023, 5, 31))
    petitions.forward_petition(answered, staff, D(2023, 4, 27))
    petitions.answer_petition(
        answered, hnd, "Hội Nông dân huyện đã phối hợp Ngân hàng Chính sách xã hội "
        "giải ngân 600 triệu đồng cho 12 hộ qua tổ tiết kiệm và vay vốn.",
        D(2023, 5, 8))
    closed = raised(D(2023, 4, 25), commune="xã Tịnh Hiệp", field="environment",
                    content="Phản ánh mùi hôi từ trại chăn nuôi heo gần khu dân cư.",
                    answering_unit_id=units["ĐU Tịnh Hiệp"].id,
                    due_on=D(2023, 5, 31))
    petitions.close_petition(closed, staff, "Trùng nội dung đơn đã được UBND xã "
                             "giải quyết theo thủ tục tiếp công dân.", D(2023, 5, 5))
    for item in (late, answered, closed):
        for update in item.updates:
            if update.action != "created":
                update.created_at = _at(D(2023, 5, 8))


def _discussion(task, staff, hnd, leader):
    """Give the dialogue task a short discussion, with a mention and a correction."""
    from tracker.comments import services as comments

    request = comments.post_comment(
        task, "Đề nghị **Hội Nông dân huyện** tổng hợp ý kiến, kiến nghị của hội viên "
        "xã Tịnh Hiệp gửi Ban trước ngày 10/6, để chuẩn bị nội dung đối thoại. "
        "@canbo_hnd vui lòng phản hồi.", staff, now=_at(D(2023, 6, 2), 10))
    if demo_files.has_comment_files():
        demo_files.attach_to_comment(request, staff, {
            "Mẫu tổng hợp ý kiến, kiến nghị.xlsx": demo_files.list_xlsx(
                ["STT", "Lĩnh vực", "Nội dung ý kiến, kiến nghị", "Số hộ nêu"],
                [[1, "Đất đai", "", None], [2, "Giá vật tư nông nghiệp", "", None],
                 [3, "Nước sạch", "", None]]),
        })
    answer = comments.post_comment(
        task, "Đã nhận. Hội sẽ gửi bản tổng hợp gồm:\n\n- ý kiến về đất đai;\n"
        "- ý kiến về giá vật tư nông nghiệp.", hnd, now=_at(D(2023, 6, 2), 14))
    comments.edit_comment(
        answer, answer.body + "\n- ý kiến về nước sạch.", hnd,
        now=_at(D(2023, 6, 2), 14) + dt.timedelta(minutes=6))
    comments.post_comment(
        task, "Thống nhất. Lưu ý mời đại diện UBND xã dự để trả lời trực tiếp.", leader,
        now=_at(D(2023, 6, 3), 8))


def _briefing_meeting(q1, leader):
    """Record the briefing of 31/03/2023: where, who chaired, who came, what was asked."""
    db.session.add(BriefingMeeting(
        quarter=q1, place="Hội trường Huyện ủy Sơn Tịnh",
        chair_name="Nguyễn Văn Lãnh", chair_title="Trưởng Ban Dân vận Huyện ủy",
        attendees="Lãnh đạo Ủy ban MTTQ Việt Nam huyện và các tổ chức chính trị - xã "
        "hội huyện; Phó Bí thư Thường trực Đảng ủy 11 xã.",
        updated_by_id=leader.id,
        proposals=[BriefingProposal(
            position=0, addressee="Thường trực Huyện ủy",
            text="Tiếp tục quan tâm chỉ đạo các cơ quan, đơn vị phối hợp giải quyết "
            "dứt điểm các vụ việc, vấn đề bức xúc, kiến nghị chính đáng của nhân dân, "
            "nhất là trong công tác bồi thường, giải phóng mặt bằng.")],
    ))


def _has_table(name):
    """Tell whether the schema has the table.

    The migration tests load the demo into databases migrated only as far as an
    older revision; what the demo adds of later features is then left out.
    """
    from sqlalchemy import inspect

    return inspect(db.session.connection()).has_table(name)


# The year's "Dân vận khéo" models the demo names (46 were registered in all; the
# rest are an imported count): name, unit, commune, field, whom it serves, registered
# on, then its steps as (state, day, level, decision number, note).
INITIATIVES = (
    ("Vận động nhân dân hiến đất mở rộng đường giao thông nông thôn", "HND",
     "Tịnh Hiệp", "economy", "Hộ dân các thôn Phước Lộc, Bình Đẳng",
     D(2023, 1, 16), (("building", D(2023, 1, 30), None, "", ""),
                      ("reviewed", D(2023, 3, 10), None, "", ""),
                      ("recognised", D(2023, 3, 28), "district", "215-QĐ/HU", ""))),
    ("Chi hội phụ nữ “5 không, 3 sạch” gắn với xây dựng nông thôn mới", "HLHPN",
     "Tịnh Bắc", "culture_society", "Hội viên phụ nữ và hộ gia đình trong xã",
     D(2023, 1, 18), (("building", D(2023, 2, 1), None, "", ""),
                      ("reviewed", D(2023, 3, 10), None, "", ""),
                      ("recognised", D(2023, 3, 28), "district", "215-QĐ/HU", ""))),
    ("Tổ tự quản an ninh trật tự khu dân cư", "ĐU Tịnh Trà", "Tịnh Trà",
     "defence_security", "Nhân dân các thôn giáp ranh",
     D(2023, 1, 20), (("building", D(2023, 2, 6), None, "", ""),
                      ("reviewed", D(2023, 3, 22), None, "", ""))),
    ("Dân vận khéo trong vận động bồi thường, giải phóng mặt bằng", "MTTQ",
     "Tịnh Phong", "political_system", "Hộ dân có đất bị thu hồi",
     D(2023, 1, 25), (("building", D(2023, 2, 15), None, "", ""),)),
    ("Đoàn viên thanh niên giúp người dân thanh toán không dùng tiền mặt", "ĐTN",
     "Tịnh Hà", "economy", "Người cao tuổi, tiểu thương chợ xã",
     D(2023, 2, 3), (("building", D(2023, 3, 1), None, "", ""),)),
    ("Cựu chiến binh giúp nhau phát triển kinh tế, giảm nghèo bền vững", "HCCB",
     "Tịnh Bình", "economy", "Hội viên cựu chiến binh thuộc hộ nghèo, cận nghèo",
     D(2023, 2, 10), ()),
    ("Công đoàn đồng hành cùng người lao động ở cơ sở", "LĐLĐ", "", "culture_society",
     "Đoàn viên, người lao động", D(2023, 2, 14), ()),
    ("Nuôi bò vỗ béo theo tổ hợp tác", "HND", "Tịnh Thọ", "economy",
     "Hội viên nông dân", D(2023, 2, 20),
     (("dropped", D(2023, 3, 15), None, "",
       "Tổ hợp tác giải thể; hội viên chuyển sang mô hình trồng cỏ."),)),
    ("Tuyến đường hoa, đường cờ nông thôn mới", "HLHPN", "Tịnh Đông",
     "culture_society", "Nhân dân thôn Hưng Nhượng", D(2023, 3, 2),
     (("building", D(2023, 3, 20), None, "", ""),
      ("reviewed", D(2023, 5, 25), None, "", ""),
      ("recognised", D(2023, 6, 12), "grassroots", "36-QĐ/ĐU", ""))),
)
REGISTERED_IN_2023 = 46


def _initiatives(task, units, users):
    """Register the year's named models, move them on, and import the rest's count."""
    from tracker.initiatives import services as registry

    staff = users["canbo_bdv"]
    for name, unit, commune, field, served, day, steps in INITIATIVES:
        item = registry.create_initiative(dict(
            name=name, field=field, unit_id=units[unit].id, commune=commune,
            year=day.year, beneficiaries=served, registered_on=day), staff)
        item.created_at = item.updates[-1].created_at = _at(day)
        for state, on, level, number, note in steps:
            registry.advance(item, users["lanhdao"] if state == "recognised" else staff,
                             state, on, note, level=level, decision_number=number)
            item.updates[-1].created_at = _at(on)
            if item.settled_at is not None:
                item.settled_at = _at(on)
    rest = REGISTERED_IN_2023 - len(INITIATIVES)
    for row in registry.record_imported_counts(task, rest, 0, staff,
                                               whole_year_on=D(2023, 3, 25)):
        row.created_at = row.updates[-1].created_at = _at(D(2023, 3, 25))


def _models_count(task, registered, recognised, user):
    """Record a movement's models the source reports as counts, where the schema can."""
    if _has_table("initiative"):
        from tracker.initiatives.services import record_imported_counts as models

        models(task, registered, recognised, user)




def _imported_counts(task, raised, answered, user):
    """Record the opinions the source reports as counts, where the schema can."""
    if _has_table("petition"):
        record_imported_counts(task, raised, answered, user)


def _plan(quarter, units, user, rows):
    """Create tasks from (when, data, reports) rows; return how many were made."""
    for when, data, reports in rows:
        data = dict(data)
        data["lead_unit_id"] = units[data.pop("lead")].id
        coordinating = [units[name].id for name in data.pop("coordinating", ())]
        participating = [units[name].id for name in data.pop("participating", ())]
        counts = data.pop("opinions", None)
        models = data.pop("models", None)
        item = services.create_task(quarter, data, user, coordinating=coordinating,
                                    participating=participating)
        if counts:
            _imported_counts(item, *counts, user)
        if models:
            _models_count(item, *models, user)
        item.created_at = item.updates[-1].created_at = _at(when)
        for day, status, pct, note, completed_on in reports:
            update = services.report_progress(item, status, pct, note, user,
                                              completed_on=completed_on, today=day)
            update.created_at = _at(day, 15)
    return len(rows)


def _load_binh_son():
    """Create Bình Sơn's board: units, two accounts, Q1 and Q2 2023 with a few tasks."""
    communes = tuple(f"ĐU {name}" for name in BINH_SON_COMMUNES)
    units, users = _small_board(
        (("BDV", "Ban Dân vận Huyện ủy Bình Sơn", "party_board"),
         ("MTTQ", "Ủy ban Mặt trận Tổ quốc Việt Nam huyện Bình Sơn", "front"),
         ("HND", "Hội Nông dân huyện Bình Sơn", "mass_org"),
         ("HLHPN", "Hội Liên hiệp Phụ nữ huyện Bình Sơn", "mass_org"))
        + tuple((short, f"Đảng ủy xã {name}", "commune_party_committee")
                for short, name in zip(communes, BINH_SON_COMMUNES)),
        (("lanhdao_binhson", "Phạm Thị Hạnh (Trưởng Ban Dân vận)", "leader", ("BDV",)),
         ("canbo_binhson", "Võ Minh Tâm (cán bộ Ban Dân vận)", "staff", ("BDV",))),
        dict(superior_body="HUYỆN ỦY BÌNH SƠN", issuing_body="BAN DÂN VẬN",
             issuer_code="BDVHU", place="Bình Sơn", signer_name="Phạm Thị Hạnh",
             recipients="- Ban Dân vận Tỉnh ủy (b/c),\n- Thường trực Huyện ủy (b/c),"
             "\n- Lưu BDVHU."),
    )
    # Outside bodies are shared by every board (loaded with Sơn Tịnh's units).
    units["BDVTU"] = db.session.scalar(
        select(Unit).where(Unit.kind == "external", Unit.short_name == "BDVTU"))
    q1 = Quarter(year=2023, number=1, state="active", briefing_on=D(2023, 3, 30))
    q2 = Quarter(year=2023, number=2, state="planning")
    db.session.add_all([q1, q2])
    db.session.flush()
    staff = users["canbo_binhson"]
    made = _plan(q1, units, staff, (
        (D(2023, 1, 4), dict(
            kind="dialogue", lead="BDV", participating=communes,
            title="Bí thư Đảng ủy 6 xã tổ chức tiếp xúc, đối thoại với nhân dân",
            chair="Bí thư Đảng ủy xã", commune="6 xã", target_count=6,
            achieved_count=6, target_label="cuộc", participants=540,
            opinions=(38, 35)),
         ((D(2023, 3, 24), "done", 100, "6/6 xã đã tổ chức đối thoại.",
           D(2023, 3, 24)),)),
        (D(2023, 1, 4), dict(
            kind="congress", lead="HND", coordinating=("BDV",),
            title="Chỉ đạo Đại hội đại biểu Hội Nông dân huyện Bình Sơn lần thứ XII, "
            "nhiệm kỳ 2023–2028", organisation="Hội Nông dân huyện Bình Sơn",
            congress_ordinal=12, term_start=2023, term_end=2028,
            due_on=D(2023, 3, 15), held_on=D(2023, 3, 10), delegates=150),
         ((D(2023, 3, 10), "done", 100, "Đại hội thành công tốt đẹp.",
           D(2023, 3, 10)),)),
        (D(2023, 1, 5), dict(
            kind="training", lead="BDV",
            title="Tập huấn nghiệp vụ công tác dân vận cho cán bộ cơ sở",
            audience="Cán bộ dân vận các xã", sessions=2, trainees_planned=120,
            due_on=D(2023, 3, 20)),
         ((D(2023, 2, 15), "in_progress", 50, "Đã tổ chức 1/2 lớp.", None),)),
        (D(2023, 1, 6), dict(
            kind="movement", lead="BDV", coordinating=("MTTQ", "HND", "HLHPN"),
            title="Thực hiện phong trào thi đua “Dân vận khéo” năm 2023",
            campaign_name="Dân vận khéo", models=(18, 0),
            due_on=D(2023, 12, 31)),
         ((D(2023, 3, 20), "in_progress", 30, "18 mô hình đăng ký.", None),)),
        (D(2023, 1, 6), dict(
            kind="advisory", lead="BDV",
            title="Tham mưu sơ kết công tác dân vận chính quyền năm 2022",
            due_on=D(2023, 2, 28)),
         ()),
        (D(2023, 1, 9), dict(
            kind="propaganda", lead="BDV",
            coordinating=("BDVTU", "MTTQ", "HND", "HLHPN"),
            title="Tuyên truyền, quán triệt Kết luận số 43-KL/TW của Ban Bí thư về "
            "công tác dân vận", achieved_count=120, target_label="lượt cán bộ dự"),
         ((D(2023, 2, 24), "done", 100, "Đã quán triệt đến cán bộ chủ chốt.",
           D(2023, 2, 24)),)),
        # Held in the first days of the next quarter, it is still this quarter's.
        (D(2023, 1, 9), dict(
            kind="meeting", lead="BDV", coordinating=("MTTQ", "HND", "HLHPN"),
            title="Hội nghị giao ban Khối Dân vận quý I năm 2023",
            held_on=D(2023, 4, 4)),
         ((D(2023, 4, 4), "done", 100, "Đã tổ chức giao ban, đánh giá kết quả quý I.",
           None),)),
        # Reported done at the briefing without a date: none is invented.
        (D(2023, 1, 9), dict(
            kind="review", lead="BDV", status="done", progress=100,
            title="Sơ kết 5 năm thực hiện Quy định số 03-QĐ/HU về công tác dân vận"),
         ()),
    ))
    made += _plan(q2, units, staff, (
        (D(2023, 4, 3), dict(
            kind="mobilisation", lead="BDV", coordinating=communes[:3],
            title="Vận động nhân dân đồng thuận giải phóng mặt bằng khu kinh tế Dung "
            "Quất"), ()),
        (D(2023, 4, 3), dict(
            kind="welfare", lead="MTTQ", coordinating=("BDV", "HND", "HLHPN"),
            title="Vận động hỗ trợ xây dựng nhà đại đoàn kết cho hộ nghèo",
            target_count=5, target_label="nhà"), ()),
        (D(2023, 4, 3), dict(
            kind="ethnic_religious", lead="BDV", is_recurring=True,
            title="Nắm tình hình các cơ sở tôn giáo trên địa bàn huyện"), ()),
    ))
    return {"units": len(units), "users": len(users), "quarters": 2, "tasks": made}


def _load_province():
    """Create the province's board: its own units, its leader, Q1 2023's few tasks."""
    units, users = _small_board(
        (("BDV", "Ban Dân vận Tỉnh ủy Quảng Ngãi", "party_board"),
         ("MTTQ", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Quảng Ngãi", "front")),
        (("lanhdao_tinh", "Đinh Văn Tỉnh (Trưởng Ban Dân vận Tỉnh ủy)", "leader",
          ("BDV",)),),
        dict(superior_body="TỈNH ỦY QUẢNG NGÃI", issuing_body="BAN DÂN VẬN",
             issuer_code="BDVTU", place="Quảng Ngãi", signer_name="Đinh Văn Tỉnh",
             recipients="- Ban Dân vận Trung ương (b/c),\n"
             "- Thường trực Tỉnh ủy (b/c),\n- Lưu BDVTU."),
    )
    q1 = Quarter(year=2023, number=1, state="active", briefing_on=D(2023, 3, 31))
    db.session.add(q1)
    db.session.flush()
    leader = users["lanhdao_tinh"]
    made = _plan(q1, units, leader, (
        (D(2023, 1, 3), dict(
            kind="advisory", lead="BDV",
            title="Tham mưu Ban Thường vụ Tỉnh ủy sơ kết 5 năm thực hiện Kết luận "
            "số 114-KL/TW về công tác dân vận chính quyền", due_on=D(2023, 3, 15)),
         ((D(2023, 3, 14), "done", 100, "Đã trình Ban Thường vụ.", D(2023, 3, 14)),)),
        (D(2023, 1, 3), dict(
            kind="inspection", lead="BDV", coordinating=("MTTQ",),
            title="Kiểm tra công tác dân vận tại Ban Dân vận các huyện ủy",
            due_on=D(2023, 3, 20)),
         ((D(2023, 2, 20), "in_progress", 40, "Đã kiểm tra 2 huyện.", None),)),
        (D(2023, 1, 4), dict(
            kind="monitoring", lead="BDV", is_recurring=True,
            title="Nắm tình hình tư tưởng, tâm trạng nhân dân trên địa bàn tỉnh"),
         ()),
    ))
    return {"units": len(units), "users": len(users), "quarters": 1, "tasks": made}


# ---- a board that lives today: the quarter holding "today" and the two before ----

FIRST_LIVE_INDEX = 2024 * 4 + 1  # 2024-Q2: its two quarters before follow the seed's


def _quarter_index(day):
    return day.year * 4 + (day.month - 1) // 3


def live_keys(as_of):
    """Return the (year, number) of the quarters load_live makes, oldest first."""
    index = _quarter_index(as_of)
    return [divmod(i, 4) for i in (index - 2, index - 1, index)]


def _load_follow_up(as_of):
    """Give the live open quarter's work its acknowledgements, watchers, extensions.

    Most units acknowledged what they were given the next morning; the quarter's two
    newest tasks' leads and two communes' shares have not yet. One task's deadline
    was extended on a leader's approval; another's request waits on /me. The 2023
    seed is left as it is: its figures are quoted by the guide and the tests.
    """
    from tracker.models import Task

    # Nothing is dated after the demo's day.
    bound = _at(as_of, 8)
    users = {u.username: u for u in db.session.scalars(select(User))}
    by_unit = {}
    for user in sorted(users.values(), key=lambda user: user.id):
        for unit in user.units:
            by_unit.setdefault(unit.id, user)
    quarters = db.session.scalars(
        select(Quarter).where(Quarter.state != "closed", Quarter.year > 2023)
        .order_by(Quarter.year, Quarter.number)).all()
    for quarter in quarters:
        tasks = db.session.scalars(
            select(Task).where(Task.quarter_id == quarter.id,
                               Task.is_archived.is_(False),
                               Task.status.not_in(("done", "cancelled")))
            .order_by(Task.created_at, Task.id)
        ).all()
        if tasks:
            _follow_up_quarter(tasks, by_unit, users, bound)
    db.session.flush()


def _follow_up_quarter(tasks, by_unit, users, bound):
    from tracker.followup import services as followup
    from tracker.models import TaskUpdate

    def dated(task, action, when):
        row = db.session.scalar(
            select(TaskUpdate).where(TaskUpdate.task_id == task.id,
                                     TaskUpdate.action == action)
            .order_by(TaskUpdate.id.desc()).limit(1))
        row.created_at = when

    leader = users["lanhdao"]
    newest = {task.id for task in tasks[-2:]}
    left_out = 0
    for task in tasks:
        when = task.created_at + dt.timedelta(days=1)
        units = [] if task.id in newest else [task.lead_unit_id]
        for link in task.participants_links:
            if left_out < 2 and link.unit.kind == "commune_party_committee":
                left_out += 1
                continue
            units.append(link.unit_id)
        for unit_id in units:
            person = by_unit.get(unit_id)
            if person is None or when > bound:
                continue
            followup.acknowledge(task, unit_id, person)
            dated(task, "acknowledged", when)
            if unit_id == task.lead_unit_id:
                task.acknowledged_at = when
            else:
                next(link for link in task.participants_links
                     if link.unit_id == unit_id).acknowledged_at = when
    followup.set_watching(leader, True, quarter=tasks[0].quarter)
    followup.set_watching(users["canbo_hnd"], True, task=tasks[0])
    # An approval moves only work due well after the demo's day (its overdue and
    # due-this-week work stays as it is); a request waiting moves nothing.
    day = bound.date()
    open_work = [task for task in tasks if task.effective_due_on and not task.held_on
                 and task.lead_unit_id in by_unit and task.effective_due_on >= day
                 and task.created_at <= bound - dt.timedelta(days=1)]
    approved = next((task for task in open_work
                     if task.effective_due_on > day + dt.timedelta(days=15)), None)
    waiting = next((task for task in open_work if task is not approved), None)
    for task in (approved, waiting):
        if task is None:
            continue
        extension = followup.request_extension(
            task, task.effective_due_on + dt.timedelta(days=15),
            "Chờ Ủy ban nhân dân xã bố trí địa điểm và kinh phí tổ chức; đề nghị "
            "lùi thời hạn để bảo đảm chất lượng.", by_unit[task.lead_unit_id])
        asked = min(task.created_at + dt.timedelta(days=10),
                    bound - dt.timedelta(days=1))
        extension.requested_at = asked
        dated(task, "extension_asked", asked)
        if task is approved:
            followup.decide_extension(
                extension, True, "Đồng ý; báo cáo kết quả ngay sau khi hoàn thành.",
                leader)
            extension.decided_at = min(asked + dt.timedelta(days=1), bound)
            dated(task, "extension_granted", extension.decided_at)


def load_live(as_of):
    """Add Sơn Tịnh's recent quarters as they would stand on as_of.

    The quarter before last and the last one are closed (the last one waits for its
    approval); the current one is under way: some work done, some due within the
    week, one task overdue, and one carried twice (from the quarter before last).
    Made through the same services as the pages, so history, carried chains and
    closed records are what a real board would have. Nothing is made when as_of
    falls before 2024-Q2 (those quarters would meet the 2023 seed).
    """
    if _quarter_index(as_of) < FIRST_LIVE_INDEX:
        return {"quarters": 0, "tasks": 0}
    from tracker.models.guard import unlocked
    from tracker.quarters import rollover
    from tracker.quarters.services import set_state

    units = {u.short_name: u for u in db.session.scalars(select(Unit))}
    users = {u.username: u for u in db.session.scalars(select(User))}
    staff, hnd, leader = users["canbo_bdv"], users["canbo_hnd"], users["lanhdao"]
    commune = users["canbo_xa"]
    (y2, n2), (y1, n1), (y0, n0) = [(y, n + 1) for y, n in live_keys(as_of)]
    before_last = Quarter(year=y2, number=n2, state="active")
    db.session.add(before_last)
    db.session.flush()
    made = []

    scoped = _has_table("task_scope")

    def task(quarter, when, user, coordinating=(), participating=(), scope=(),
             **data):
        data["lead_unit_id"] = units[data.pop("lead")].id
        item = services.create_task(
            quarter, data, user,
            coordinating=[units[name].id for name in coordinating],
            participating=[units[name].id for name in participating],
            scope=[units[name].id for name in scope] if scoped else (),
        )
        item.created_at = item.updates[-1].created_at = _at(when)
        made.append(item)
        return item

    def progress(item, when, user, status, pct, note, completed_on=None):
        update = services.report_progress(item, status, pct, note, user,
                                          completed_on=completed_on, today=when)
        update.created_at = _at(when, 15)

    def close(quarter, decisions=None, notes=None):
        day = quarter.ends_on + dt.timedelta(days=1)
        result = rollover.close_quarter(quarter, decisions or {}, leader, notes)
        with unlocked(db.session):  # dated as if closed the day after its end
            quarter.closed_at = _at(day, 16)
            for carried in result.carried:
                for update in carried.updates + carried.carried_from.updates:
                    if update.action in ("carried_in", "carried_out"):
                        update.created_at = _at(day, 16)
            for ended in result.closed:
                ended.updates[-1].created_at = _at(day, 16)
            db.session.flush()
        return result

    def on(quarter, days):
        """Return a day `days` after the quarter's start, kept inside it."""
        return min(quarter.starts_on + dt.timedelta(days=days), quarter.ends_on)

    # ---- the quarter before last: closed and approved ----
    q = before_last
    gpmb = task(
        q, on(q, 3), staff, kind="mobilisation",
        title="Vận động nhân dân đồng thuận bồi thường, giải phóng mặt bằng dự án "
        "đường ven sông Trà Khúc",
        lead="BDV", coordinating=("ĐU Tịnh Trà", "MTTQ"),
        source_document="Kế hoạch số 31-KH/BDVHU",
    )
    progress(gpmb, on(q, 50), staff, "in_progress", 30,
             "Đã vận động 18/60 hộ đồng thuận.")
    t = task(q, on(q, 4), staff, kind="training", lead="BDV",
             title="Tập huấn nghiệp vụ công tác dân vận cho cán bộ cơ sở",
             audience="Cán bộ dân vận các xã", sessions=1, trainees_planned=90,
             due_on=on(q, 60))
    progress(t, on(q, 55), staff, "done", 100, "Đã tổ chức lớp tập huấn, 88 học viên.",
             completed_on=on(q, 55))
    t = task(q, on(q, 5), staff, kind="dialogue", lead="BDV",
             coordinating=("ĐU Tịnh Trà",), chair="Bí thư Huyện ủy",
             commune="xã Tịnh Trà", target_count=1, achieved_count=1,
             target_label="cuộc", held_on=on(q, 40), participants=140,
             title="Bí thư Huyện ủy tiếp xúc, đối thoại với nhân dân xã Tịnh Trà")
    progress(t, on(q, 41), staff, "done", 100, "11/11 ý kiến đã được trả lời.",
             completed_on=on(q, 40))
    close(q)
    rollover.approve_quarter(q, leader)
    with unlocked(db.session):
        q.approved_at = _at(q.ends_on + dt.timedelta(days=3), 10)
        db.session.flush()

    # ---- the last quarter: closed, its approval waiting ----
    last = db.session.scalar(select(Quarter).where(Quarter.year == y1,
                                                   Quarter.number == n1))
    set_state(last, "active", leader)
    q = last
    gpmb = gpmb_last = services.continuation_of(gpmb)
    progress(gpmb, on(q, 45), staff, "in_progress", 55,
             "Đã vận động 33/60 hộ đồng thuận; còn vướng đơn giá bồi thường.")
    t = task(q, on(q, 2), staff, kind="movement", lead="BDV",
             coordinating=("MTTQ", "HND", "HLHPN"), campaign_name="Dân vận khéo",
             due_on=on(q, 75),
             title="Sơ kết phong trào thi đua “Dân vận khéo”, nhân rộng mô hình hay")
    _models_count(t, 21, 21, staff)
    progress(t, on(q, 70), staff, "done", 100, "21 mô hình được công nhận.",
             completed_on=on(q, 70))
    t = task(q, on(q, 3), hnd, kind="congress", lead="HND", coordinating=("BDV",),
             organisation="Hội Nông dân huyện Sơn Tịnh",
             title="Hội nghị Ban Chấp hành Hội Nông dân huyện giữa nhiệm kỳ",
             due_on=on(q, 30), held_on=on(q, 36))
    progress(t, on(q, 37), hnd, "done", 100, "Hội nghị tổ chức xong (chậm 6 ngày).",
             completed_on=on(q, 36))
    ended = task(q, on(q, 3), commune, kind="mobilisation", lead="ĐU Tịnh Trà",
                 title="Vận động di dời mồ mả khu dân cư Trà Bình",
                 due_on=on(q, 80))
    progress(ended, on(q, 30), commune, "in_progress", 20, "Đã họp dân 2 thôn.")
    close(q, {ended.id: "not_needed"},
          {ended.id: "Dự án điều chỉnh quy hoạch, không còn phải di dời."})

    # ---- the current quarter: under way on as_of ----
    current = db.session.scalar(select(Quarter).where(Quarter.year == y0,
                                                      Quarter.number == n0))
    set_state(current, "active", leader)
    q = current
    start = q.starts_on

    def ago(days):
        """Return as_of minus days, not before the quarter's first day."""
        return max(as_of - dt.timedelta(days=days), start)

    def soon(days):
        """Return as_of plus days, not after the quarter's last day."""
        return max(min(as_of + dt.timedelta(days=days), q.ends_on), as_of)

    gpmb = services.continuation_of(gpmb_last)
    progress(gpmb, ago(6), staff, "in_progress", 75,
             "Đã vận động 45/60 hộ đồng thuận; đối thoại riêng với 15 hộ còn lại.")
    t = task(q, start, staff, kind="advisory", lead="BDV", coordinating=("MTTQ",),
             due_on=ago(12),
             title="Tham mưu báo cáo sơ kết công tác dân vận chính quyền")
    progress(t, ago(14), staff, "done", 100, "Đã trình Thường trực Huyện ủy.",
             completed_on=ago(14))
    overdue = task(q, start, staff, kind="dialogue", lead="BDV",
                   coordinating=("ĐU Tịnh Trà",), chair="Bí thư Đảng ủy xã",
                   commune="xã Tịnh Trà", scope=("ĐU Tịnh Trà",),
                   target_count=1, target_label="cuộc",
                   due_on=min(ago(4), as_of - dt.timedelta(days=1)),
                   title="Bí thư Đảng ủy xã Tịnh Trà đối thoại với nhân dân về "
                   "giải phóng mặt bằng")
    progress(overdue, ago(20), commune, "in_progress", 40,
             "Đã chuẩn bị nội dung, chưa thống nhất được ngày tổ chức.")
    # The commune gives its villages a share each: one has reported it done.
    t = task(q, ago(30), commune, kind="democracy", lead="ĐU Tịnh Trà",
             participating=("CB Trà Bình", "CB Trà Lạc"), due_on=soon(2),
             title="Rà soát việc thực hiện Quy chế dân chủ ở cơ sở tại các thôn")
    link = next(link for link in t.unit_links
                if link.unit_id == units["CB Trà Bình"].id)
    update = services.report_share(
        link, "done", ago(8), "Thôn Trà Bình đã rà soát xong, lập biên bản.",
        commune, today=ago(8))
    update.created_at = link.share_updated_at = _at(ago(8), 16)
    progress(t, ago(3), commune, "in_progress", 60, "Đã rà soát 4/6 thôn.")
    t = task(q, ago(30), staff, kind="monitoring", lead="BDV",
             participating=("ĐU Tịnh Trà", "ĐU Tịnh Hiệp", "ĐU Tịnh Bắc"),
             due_on=soon(5),
             title="Nắm tình hình dư luận nhân dân về phương án bồi thường")
    progress(t, ago(2), staff, "in_progress", 50, "Đã nhận báo cáo của 1/3 xã.")
    t = task(q, ago(25), hnd, kind="training", lead="HND", coordinating=("BDV",),
             audience="Hội viên nông dân", sessions=1, trainees_planned=60,
             due_on=soon(6),
             title="Tập huấn chuyển đổi số cho hội viên nông dân")
    task(q, ago(10), staff, kind="inspection", lead="BDV",
         coordinating=("ĐU Tịnh Trà",), due_on=q.ends_on,
         title="Kiểm tra công tác dân vận tại Đảng ủy xã Tịnh Trà")
    task(q, start, staff, kind="monitoring", lead="BDV", is_recurring=True,
         status="in_progress",
         title="Theo dõi, nắm bắt tâm tư, nguyện vọng của nhân dân")
    db.session.flush()
    return {"quarters": 3, "tasks": len(made)}

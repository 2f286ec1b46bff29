"""Synthetic data at scale: years of realistic quarters, for benchmarks and trials.

`flask --app tracker generate` fills the configured database with units, accounts
(the demo ones included, password "demo"), quarters and their tasks of every kind,
shared tasks, carried chains, recurring work and history rows. The same seed gives
the same data.

Rows go in through SQLAlchemy Core inserts of lists of dicts, in batches: tens of
thousands of tasks take seconds, not minutes. Core inserts skip the ORM on purpose —
the closed-quarter guard (this writes closed history directly) and the event that
fills Task.search_text — so this module fills search_text, frozen_timeliness, the
status of work ended at a close and the stored list counts itself, exactly as the
ORM, close_quarter and approve_quarter would have left them.
"""

import datetime as dt
import random
from dataclasses import dataclass, field, replace
from types import SimpleNamespace

from sqlalchemy import inspect, select, text
from werkzeug.security import generate_password_hash

from tracker.demo import DEMO_PASSWORD, UNITS as DEMO_UNITS, USERS as DEMO_USERS
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Board,
    Quarter,
    Task,
    TaskUnit,
    TaskUpdate,
    Unit,
    User,
)
from tracker.models.revision import data_tables, mark_written
from tracker.models.user import user_unit
from tracker.quarters.rollover import COPIED_FIELDS
from tracker.figures.counting import count_for_list
from tracker.tasks.timeliness import closing_class
from tracker.text import fold, to_roman

PRESETS = {
    "district": dict(tasks_per_quarter=50, units=30),
    "province": dict(tasks_per_quarter=1000, units=300),
    "national": dict(tasks_per_quarter=10000, units=3000),
    # A province's board with ten district boards below it, each of the sizes here:
    # about 100 communes and 1,000 tasks a quarter in all.
    "province-boards": dict(tasks_per_quarter=100, units=60, districts=10, quarters=12),
}
BATCH = 2000
MIN_UNITS = 8

# The district-level units every board has; the demo accounts report for BDV and HND.
CORE_UNITS = DEMO_UNITS[:MIN_UNITS]
DEMO_COMMUNES = tuple(
    name[len("Đảng ủy xã ") :]
    for _, name, kind, _ in DEMO_UNITS
    if kind == "commune_party_committee"
)
PLACE_FIRST = (
    "Tịnh",
    "Hòa",
    "Bình",
    "An",
    "Phước",
    "Tân",
    "Đức",
    "Nghĩa",
    "Hành",
    "Phổ",
    "Sơn",
    "Trà",
    "Ba",
    "Minh",
    "Long",
    "Thạnh",
    "Quang",
    "Xuân",
    "Hưng",
    "Thuận",
    "Vĩnh",
    "Phú",
    "Mỹ",
    "Hiệp",
    "Thanh",
    "Kỳ",
    "Điện",
    "Duy",
    "Quế",
    "Tam",
)
PLACE_SECOND = (
    "Bắc",
    "Nam",
    "Đông",
    "Tây",
    "Trung",
    "Hiệp",
    "Phong",
    "Thọ",
    "Hà",
    "Giang",
    "Minh",
    "Sơn",
    "Lợi",
    "Thắng",
    "Phú",
    "Mỹ",
    "Lộc",
    "Thành",
    "Khánh",
    "Hải",
    "Điền",
    "Tiến",
    "Hòa",
    "An",
    "Bình",
    "Thủy",
    "Lâm",
    "Xuyên",
    "Phước",
    "Tân",
)
# Units of a commune, in the order they are added: kind, name, short name, parent.
COMMUNE_UNITS = (
    ("commune_party_committee", "Đảng ủy xã {p}", "ĐU {p}", "BTVHU"),
    ("government_office", "Ủy ban nhân dân xã {p}", "UBND {p}", None),
    ("mass_org", "Hội Nông dân xã {p}", "HND {p}", "HND"),
    ("front", "Ủy ban MTTQ Việt Nam xã {p}", "MTTQ {p}", "MTTQ"),
    ("mass_org", "Hội Liên hiệp Phụ nữ xã {p}", "HPN {p}", "HLHPN"),
)
FAMILY_NAMES = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Huỳnh",
    "Hoàng",
    "Võ",
    "Phan",
    "Trương",
    "Bùi",
    "Đặng",
    "Đỗ",
    "Ngô",
    "Hồ",
    "Dương",
    "Đinh",
)
MIDDLE_NAMES = (
    "Văn",
    "Thị",
    "Minh",
    "Ngọc",
    "Thanh",
    "Quốc",
    "Đức",
    "Thu",
    "Hữu",
    "Kim",
)
GIVEN_NAMES = (
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hòa",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phong",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Trung",
    "Tuấn",
    "Vân",
    "Việt",
    "Yến",
)

KIND_WEIGHTS = {
    "movement": 12,
    "congress": 6,
    "training": 10,
    "dialogue": 14,
    "advisory": 14,
    "monitoring": 10,
    "democracy": 8,
    "mobilisation": 12,
    "inspection": 8,
    "other": 6,
}
CAMPAIGNS = (
    "Dân vận khéo",
    "Ngày vì người nghèo",
    "Toàn dân đoàn kết xây dựng nông thôn mới, đô thị văn minh",
    "Người Việt Nam ưu tiên dùng hàng Việt Nam",
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "Toàn dân bảo vệ an ninh Tổ quốc",
    "Xây dựng gia đình 5 không, 3 sạch",
)
TOPICS = (
    "phát triển kinh tế",
    "bảo vệ môi trường",
    "xây dựng nông thôn mới",
    "giảm nghèo bền vững",
    "an ninh trật tự",
    "chuyển đổi số",
    "cải cách hành chính",
    "phòng, chống thiên tai",
    "chăm lo gia đình chính sách",
)
AUDIENCES = (
    "cán bộ, công chức cấp xã",
    "trưởng thôn, tổ trưởng tổ dân phố",
    "báo cáo viên, tuyên truyền viên",
    "cán bộ Mặt trận và các đoàn thể",
    "thành viên Ban Chỉ đạo thực hiện dân chủ ở cơ sở",
    "cán bộ làm công tác dân vận từ huyện đến cơ sở",
)
ADVISORY = (
    "ban hành Kế hoạch công tác dân vận năm {year}",
    "sơ kết thực hiện Kết luận số 114-KL/TW về công tác dân vận",
    "chỉ đạo Mặt trận và các đoàn thể triển khai nhiệm vụ quý {roman}/{year}",
    "lãnh đạo thực hiện Nghị quyết của Đảng về công tác dân vận trong tình hình mới",
    "tổng kết phong trào thi đua “Dân vận khéo” giai đoạn {year0}–{year}",
)
PROJECTS = (
    "đường ven biển Dung Quất – Sa Huỳnh",
    "khu dân cư {p}",
    "cụm công nghiệp {p}",
    "kè chống sạt lở sông Trà Khúc",
    "trường mầm non xã {p}",
    "nâng cấp đường ĐH {n}",
)
DESCRIPTIONS = (
    "Thường xuyên đổi mới nội dung, phương thức, nâng cao hiệu quả công tác dân vận.",
    "Phối hợp chặt chẽ với Mặt trận và các đoàn thể; báo cáo kết quả về Ban Dân vận.",
    "Bám sát cơ sở, nắm chắc tình hình nhân dân, kịp thời tham mưu giải quyết.",
    "Huy động sự tham gia của cả hệ thống chính trị và nhân dân.",
    "",
)
NOTES = (
    "Đã triển khai đến các chi bộ, thôn.",
    "Đang tổng hợp kết quả từ cơ sở.",
    "Đã làm việc với Đảng ủy các xã.",
    "Đã ban hành văn bản hướng dẫn.",
    "Tiến độ chậm do thời tiết; tiếp tục đôn đốc.",
    "Đã tổ chức hội nghị triển khai.",
)


@dataclass
class Sizes:
    """How much to generate."""

    quarters: int
    tasks_per_quarter: int
    units: int
    seed: int = 1
    last: tuple = None  # (year, number) of the newest quarter; today's by default
    districts: int = 0  # child boards below a province's board (0: one board)

    @property
    def own_tasks_per_quarter(self):
        """Tasks a quarter of the province's own board has when it has districts."""
        return max(5, self.tasks_per_quarter // 5)

    @property
    def total_tasks(self):
        """Tasks the run creates, every board included."""
        per_quarter = self.tasks_per_quarter * max(1, self.districts)
        if self.districts:
            per_quarter += self.own_tasks_per_quarter
        return self.quarters * per_quarter


@dataclass
class _Quarter:
    id: int
    year: int
    number: int
    state: str
    starts_on: dt.date = None
    ends_on: dt.date = None
    approved: bool = False

    @property
    def key(self):
        return f"{self.year}-Q{self.number}"


@dataclass
class Counts:
    """What a run created."""

    units: int = 0
    users: int = 0
    quarters: int = 0
    tasks: int = 0
    links: int = 0
    updates: int = 0
    carried: int = 0
    extra: dict = field(default_factory=dict)


def resolve_sizes(
    preset=None, quarters=None, tasks_per_quarter=None, units=None, seed=1, last=None,
    districts=None,
):
    """Return Sizes from a preset (province by default) and explicit overrides."""
    base = PRESETS[preset or "province"]
    return Sizes(
        quarters=quarters if quarters is not None else base.get("quarters", 40),
        districts=districts if districts is not None else base.get("districts", 0),
        tasks_per_quarter=(
            tasks_per_quarter
            if tasks_per_quarter is not None
            else base["tasks_per_quarter"]
        ),
        units=units if units is not None else base["units"],
        seed=seed,
        last=last,
    )


def has_data():
    """Tell whether any of the tracker's tables holds a row."""
    for model in (Unit, User, Quarter, Task):
        if db.session.scalar(select(model.id).limit(1)) is not None:
            return True
    return False


def schema_ready():
    """Tell whether the migrations have created the tracker's tables."""
    names = set(inspect(db.engine).get_table_names())
    return {table.name for table in db.metadata.sorted_tables} <= names


def wipe():
    """Delete every row of the tracker's tables (the schema stays)."""
    tables = data_tables(db.metadata)
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables)
        db.session.execute(text(f"TRUNCATE TABLE {names} RESTART IDENTITY CASCADE"))
        mark_written(db.session)  # plain SQL: the session cannot tell it writes
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())
    db.session.commit()


def quarter_of(day):
    """Return (year, number) of the quarter holding the date."""
    return day.year, (day.month - 1) // 3 + 1


def _bounds(year, number):
    starts = dt.date(year, 3 * (number - 1) + 1, 1)
    if number == 4:
        return starts, dt.date(year, 12, 31)
    return starts, dt.date(year, 3 * number + 1, 1) - dt.timedelta(days=1)


def _step_back(year, number, steps):
    index = year * 4 + (number - 1) - steps
    return index // 4, index % 4 + 1


def _blank(table):
    """Return a row dict with every column at its scalar default (or None)."""
    row = {}
    for column in table.columns:
        default = column.default
        row[column.name] = (
            default.arg if default is not None and default.is_scalar else None
        )
    return row


def _at(day, hour=9, minute=0):
    """Return the stored (UTC) timestamp of a local working hour on a day."""
    return dt.datetime(day.year, day.month, day.day, hour, minute) - dt.timedelta(
        hours=7
    )


class Generator:
    """Build the rows of one synthetic database, quarter by quarter."""

    def __init__(self, sizes, today, progress=None, board_id=1, taken=None, suffix=""):
        self.sizes = sizes
        self.board_id = board_id
        # The ids earlier boards of the same run used, and what tells this board's
        # accounts apart from theirs (their usernames are unique in the installation).
        self.taken = taken if taken is not None else {"unit": 0, "user": 0, "quarter": 0}
        self.suffix = suffix
        self.today = today
        self.rng = random.Random(sizes.seed)
        self.progress = progress or (lambda n: None)
        self.counts = Counts()
        self.next_id = self.taken.setdefault(
            "next", {"task": 1, "task_update": 1, "audit_event": 1})
        self.task_blank = _blank(Task.__table__)
        self.update_blank = _blank(TaskUpdate.__table__)
        self.pending = []

    # ---- units and people -------------------------------------------------------
    def _places(self, count):
        combos = [f"{a} {b}" for a in PLACE_FIRST for b in PLACE_SECOND if a != b]
        combos = [name for name in combos if name not in DEMO_COMMUNES]
        self.rng.shuffle(combos)
        names = list(DEMO_COMMUNES) + combos
        while len(names) < count:
            names += [f"{name} {len(names) // len(combos) + 1}" for name in combos]
        return names[:count]

    def build_units(self):
        """Insert the units: the district's own, then communes and their units."""
        rows, ids = [], {}
        base = self.taken["unit"]
        for order, (short, name, kind, parent) in enumerate(CORE_UNITS):
            ids[short] = base + order + 1
            rows.append(
                dict(
                    id=base + order + 1,
                    board_id=self.board_id,
                    name=name,
                    short_name=short,
                    kind=kind,
                    parent_id=ids.get(parent),
                    sort_order=order,
                    is_active=True,
                )
            )
        extra = self.sizes.units - len(rows)
        places = self._places(extra // len(COMMUNE_UNITS) + 1)
        for index in range(extra):
            place = places[index // len(COMMUNE_UNITS)]
            kind, name, short, parent = COMMUNE_UNITS[index % len(COMMUNE_UNITS)]
            unit_id = base + len(rows) + 1
            rows.append(
                dict(
                    id=unit_id,
                    board_id=self.board_id,
                    name=name.format(p=place),
                    short_name=short.format(p=place),
                    kind=kind,
                    parent_id=ids.get(parent),
                    sort_order=unit_id - base - 1,
                    is_active=self.rng.random() > 0.02,
                )
            )
        _insert(Unit.__table__, rows)
        self.taken["unit"] = base + len(rows)
        self.units = [SimpleNamespace(**row) for row in rows]
        self.unit_by_short = {unit.short_name: unit for unit in self.units}
        self.core = [self.unit_by_short[short] for short, *_ in CORE_UNITS]
        self.communes = [u for u in self.units if u.kind == "commune_party_committee"]
        self.mass_orgs = [u for u in self.units if u.kind == "mass_org"]
        self.others = [u for u in self.units if u not in self.core]
        self.counts.units = len(rows)

    def build_users(self):
        """Insert the demo accounts and staff accounts, all with the demo password."""
        # One hash for all: the password is the same, and hashing is the slow part.
        password_hash = generate_password_hash(DEMO_PASSWORD)
        users, links = [], []
        for username, full_name, role, shorts in DEMO_USERS:
            users.append(
                dict(
                    username=username + self.suffix,
                    full_name=full_name,
                    role=role,
                    units=[self.unit_by_short[s].id for s in shorts],
                )
            )
        staff = max(3, min(300, self.sizes.units // 10))
        roles = ("staff",) * 8 + ("leader", "viewer")
        for number in range(1, staff + 1):
            picks = self.rng.sample(
                self.units, k=min(len(self.units), self.rng.choice((1, 1, 2)))
            )
            users.append(
                dict(
                    username=f"canbo{number:03d}{self.suffix}",
                    full_name=self._person(),
                    role=self.rng.choice(roles),
                    units=[unit.id for unit in picks],
                )
            )
        rows = []
        for user_id, user in enumerate(users, start=self.taken["user"] + 1):
            rows.append(
                dict(
                    id=user_id,
                    username=user["username"],
                    full_name=user["full_name"],
                    password_hash=password_hash,
                    role=user["role"],
                    board_id=self.board_id,
                    is_installation_admin=user["role"] == "admin" and not self.suffix,
                    is_active=True,
                    created_at=_at(_step_back_date(self.first_day, 10)),
                )
            )
            links += [dict(user_id=user_id, unit_id=uid) for uid in user["units"]]
            user["id"] = user_id
        _insert(User.__table__, rows)
        _insert(user_unit, links)
        self.taken["user"] += len(rows)
        self.users = users
        self.reporters = [u["id"] for u in users if u["role"] in ("staff", "leader")]
        by_name = {u["username"]: u["id"] for u in users}
        self.leader_id = by_name["lanhdao" + self.suffix]
        self.counts.users = len(rows)

    def _person(self):
        rng = self.rng
        return " ".join(
            (
                rng.choice(FAMILY_NAMES),
                rng.choice(MIDDLE_NAMES),
                rng.choice(GIVEN_NAMES),
            )
        )

    # ---- quarters ---------------------------------------------------------------
    def build_quarters(self):
        """Insert the quarters: the newest open, every earlier one closed."""
        last = self.sizes.last or quarter_of(self.today)
        count = self.sizes.quarters
        self.quarters = []
        for index in range(count):
            year, number = _step_back(*last, count - 1 - index)
            starts, ends = _bounds(year, number)
            state = "active" if index == count - 1 else "closed"
            self.quarters.append(
                _Quarter(
                    id=self.taken["quarter"] + index + 1,
                    year=year,
                    number=number,
                    state=state,
                    starts_on=starts,
                    ends_on=ends,
                    approved=index < count - 2,
                )
            )
        self.first_day = self.quarters[0].starts_on
        rows = []
        for q in self.quarters:
            closed_at = _at(q.ends_on + dt.timedelta(days=3), 16)
            rows.append(
                dict(
                    id=q.id,
                    board_id=self.board_id,
                    year=q.year,
                    number=q.number,
                    state=q.state,
                    briefing_on=q.ends_on - dt.timedelta(days=self.rng.randint(0, 5)),
                    created_at=_at(q.starts_on - dt.timedelta(days=10)),
                    closed_at=closed_at if q.state == "closed" else None,
                    closed_by_id=None,
                    approved_at=None,
                    approved_by_id=None,
                )
            )
        _insert(Quarter.__table__, rows)
        self.taken["quarter"] += len(rows)
        self.counts.quarters = len(rows)

    # ---- tasks ------------------------------------------------------------------
    def build_tasks(self):
        """Insert every quarter's tasks, carrying unfinished work to the next."""
        carried = []
        for q in self.quarters:
            rows = [self._continue(origin, q) for origin in carried]
            if q is self.quarters[0]:  # the standing work every board follows
                standing = max(1, self.sizes.tasks_per_quarter // 50)
                rows += [self._new_task(q, "monitoring", True) for _ in range(standing)]
            while len(rows) < self.sizes.tasks_per_quarter:
                rows.append(self._new_task(q))
            for row in rows:
                self._outcome(row, q)
            carried = self._close(q, rows) if q.state == "closed" else []
            self.pending = rows
            self._flush()
            self.counts.tasks += len(rows)
            self.progress(len(rows))

    def _id(self, table):
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def _lead(self):
        rng = self.rng
        roll = rng.random()
        if roll < 0.3:
            return self.unit_by_short["BDV"]
        if roll < 0.5 or not self.others:
            return rng.choice(self.core)
        return rng.choice(self.others)

    def _place(self):
        return (
            self.rng.choice(self.communes).name[len("Đảng ủy xã ") :]
            if self.communes
            else self.rng.choice(DEMO_COMMUNES)
        )

    def _new_task(self, q, kind=None, recurring=None):
        rng = self.rng
        kind = (
            kind
            or rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
        )
        lead = self._lead()
        row = dict(self.task_blank)
        row.update(
            id=self._id("task"),
            quarter_id=q.id,
            kind=kind,
            lead_unit_id=lead.id,
            description=rng.choice(DESCRIPTIONS),
            created_by_id=rng.choice(self.reporters),
            created_at=_at(
                q.starts_on + dt.timedelta(days=rng.randint(0, 12)),
                rng.randint(7, 16),
                rng.randint(0, 59),
            ),
            is_recurring=(
                recurring
                if recurring is not None
                else (kind in ("monitoring", "advisory") and rng.random() < 0.1)
            ),
        )
        if rng.random() < 0.5:
            number = rng.randint(1, 60)
            code = rng.choice(("KH/BDVHU", "KH/HU", "CV/BDVHU", "KH/MTTQ"))
            row["source_document"] = f"Kế hoạch số {number:02d}-{code}"
        shared = rng.random() < (
            0.35 if kind in ("dialogue", "democracy", "mobilisation") else 0.04
        )
        participating = []
        if shared and len(self.communes) > 1:
            size = rng.randint(2, min(30, len(self.communes)))
            participating = [
                u for u in rng.sample(self.communes, size) if u is not lead
            ]
        coordinating = []
        if rng.random() < 0.7:
            pool = [
                u for u in self.units[:40] if u is not lead and u not in participating
            ]
            coordinating = rng.sample(pool, min(len(pool), rng.choice((1, 1, 2, 3, 5))))
        row["_links"] = [
            dict(
                unit_id=u.id,
                role=role,
                share_status="not_started",
                share_done_on=None,
                share_note="",
                share_updated_at=None,
            )
            for role, units in (
                ("coordinating", coordinating),
                ("participating", participating),
            )
            for u in units
        ]
        getattr(self, f"_fill_{kind}", self._fill_other)(row, q, lead, participating)
        if row["is_recurring"]:
            row["due_on"] = None
        elif row["due_on"] is None:
            roll = rng.random()
            if roll < 0.6:
                row["due_on"] = q.ends_on
            elif roll < 0.92:
                row["due_on"] = q.ends_on - dt.timedelta(days=rng.randint(5, 60))
            else:
                row["due_on"] = dt.date(q.year, 12, 31)
        row["_history"] = [
            self._update(
                row,
                "created",
                row["created_at"],
                new_status="not_started",
                new_progress=0,
            )
        ]
        return row

    def _fill_movement(self, row, q, lead, participating):
        rng = self.rng
        campaign = rng.choice(CAMPAIGNS)
        if campaign == "Dân vận khéo" and rng.random() < 0.5:
            row["title"] = f"Thực hiện phong trào thi đua “Dân vận khéo” năm {q.year}"
            row["due_on"] = dt.date(q.year, 12, 31)
        elif rng.random() < 0.5:
            row["title"] = f"Đẩy mạnh thực hiện Cuộc vận động “{campaign}”"
        else:
            row["title"] = (
                f"Xây dựng mô hình “Dân vận khéo” về {rng.choice(TOPICS)} "
                f"tại xã {self._place()}"
            )
        row["campaign_name"] = campaign
        row["models_registered"] = rng.randint(5, 80)
        row["target_count"] = row["models_registered"] if rng.random() < 0.3 else None
        row["target_label"] = "mô hình" if row["target_count"] else ""

    def _fill_congress(self, row, q, lead, participating):
        rng = self.rng
        org = rng.choice(self.mass_orgs) if self.mass_orgs else lead
        ordinal = rng.randint(5, 20)
        row["title"] = (
            f"Đại hội đại biểu {org.name} lần thứ {to_roman(ordinal)}, "
            f"nhiệm kỳ {q.year}–{q.year + 5}"
        )
        row.update(
            organisation=org.name,
            congress_ordinal=ordinal,
            term_start=q.year,
            term_end=q.year + 5,
            delegates=rng.randint(60, 250),
        )

    def _fill_training(self, row, q, lead, participating):
        rng = self.rng
        audience = rng.choice(AUDIENCES)
        if rng.random() < 0.5:
            row["title"] = f"Lớp tập huấn nghiệp vụ công tác dân vận cho {audience}"
        else:
            row["title"] = f"Bồi dưỡng kỹ năng vận động quần chúng cho {audience}"
        row.update(
            audience=audience,
            sessions=rng.randint(1, 4),
            trainees_planned=rng.randint(40, 250),
        )

    def _fill_dialogue(self, row, q, lead, participating):
        rng = self.rng
        if participating:
            count = len(participating)
            row["title"] = (
                f"Bí thư Đảng ủy {count} xã tổ chức tiếp xúc, đối thoại với " "nhân dân"
            )
            row.update(
                chair="Bí thư Đảng ủy xã",
                commune=f"{count} xã",
                target_count=count,
                target_label="cuộc",
            )
        else:
            place = self._place()
            row["title"] = (
                "Chuẩn bị điều kiện để đồng chí Bí thư Huyện ủy tiếp xúc, "
                f"đối thoại với nhân dân xã {place}"
            )
            row.update(
                chair="Bí thư Huyện ủy",
                commune=f"xã {place}",
                target_count=1 if rng.random() < 0.5 else None,
            )
            row["target_label"] = "cuộc" if row["target_count"] else ""
        row["opinions_raised"] = None

    def _fill_advisory(self, row, q, lead, participating):
        rng = self.rng
        what = rng.choice(ADVISORY).format(
            year=q.year, year0=q.year - 5, roman=to_roman(q.number)
        )
        row["title"] = f"Tham mưu Ban Thường vụ Huyện ủy {what}"

    def _fill_monitoring(self, row, q, lead, participating):
        rng = self.rng
        if rng.random() < 0.5:
            row["title"] = (
                "Theo dõi, nắm bắt tình hình tư tưởng, tâm trạng nhân dân tại "
                f"xã {self._place()}"
            )
        else:
            row["title"] = f"Nắm tình hình dư luận xã hội về {rng.choice(TOPICS)}"

    def _fill_democracy(self, row, q, lead, participating):
        if participating:
            row["title"] = (
                f"Rà soát, đánh giá việc thực hiện dân chủ ở cơ sở tại "
                f"{len(participating)} xã"
            )
        else:
            row["title"] = f"Thực hiện Quy chế dân chủ ở cơ sở tại xã {self._place()}"

    def _fill_mobilisation(self, row, q, lead, participating):
        rng = self.rng
        project = rng.choice(PROJECTS).format(p=self._place(), n=rng.randint(1, 40))
        if rng.random() < 0.6:
            row["title"] = (
                f"Vận động nhân dân đồng thuận giải phóng mặt bằng dự án {project}"
            )
        else:
            row["title"] = (
                "Vận động nhân dân hiến đất làm đường giao thông nông thôn "
                f"tại xã {self._place()}"
            )

    def _fill_inspection(self, row, q, lead, participating):
        row["title"] = (
            "Kiểm tra, giám sát việc thực hiện công tác dân vận tại Đảng ủy "
            f"xã {self._place()}"
        )

    def _fill_other(self, row, q, lead, participating):
        rng = self.rng
        if rng.random() < 0.5:
            row["title"] = (
                f"Báo cáo chuyên đề về {rng.choice(TOPICS)} quý {to_roman(q.number)}"
            )
        else:
            row["title"] = f"Sơ kết công tác dân vận quý {to_roman(q.number)}/{q.year}"

    def _continue(self, origin, q):
        """Return the continuation of a carried task in quarter q (as _carry does)."""
        fresh = origin["is_recurring"] and origin["status"] in ("done", "cancelled")
        row = dict(self.task_blank)
        for name in COPIED_FIELDS:
            row[name] = origin[name]
        previous_end = origin["_quarter_end"]
        if origin["due_on"] is None:
            row["due_on"] = None
        elif origin["due_on"] > previous_end:
            row["due_on"] = origin["due_on"]
        else:
            row["due_on"] = q.ends_on
        if fresh:
            row.update(status="not_started", progress=0, achieved_count=None)
        else:
            row["status"] = (
                "in_progress" if origin["status"] == "postponed" else origin["status"]
            )
            row["progress"] = origin["progress"]
        at = origin["_closed_at"]
        row.update(
            id=self._id("task"),
            quarter_id=q.id,
            carried_from_id=origin["id"],
            created_by_id=self.leader_id,
            created_at=at,
        )
        row["_links"] = [
            dict(
                unit_id=link["unit_id"],
                role=link["role"],
                share_status="not_started" if fresh else link["share_status"],
                share_done_on=None if fresh else link["share_done_on"],
                share_note="" if fresh else link["share_note"],
                share_updated_at=None if fresh else link["share_updated_at"],
            )
            for link in origin["_links"]
        ]
        due = [
            origin["due_on"].isoformat() if origin["due_on"] else None,
            row["due_on"].isoformat() if row["due_on"] else None,
        ]
        row["_history"] = [
            self._update(
                row,
                "carried_in",
                at,
                user_id=self.leader_id,
                new_status=row["status"],
                new_progress=row["progress"],
                changes={
                    "from": origin["_quarter_key"],
                    "from_task": origin["id"],
                    "due_on": due,
                },
            )
        ]
        self.counts.carried += 1
        return row

    def _outcome(self, row, q):
        """Move the task to where it stands at its quarter's end (or today, if open)."""
        rng = self.rng
        is_open = q.state != "closed"
        end = min(q.ends_on, self.today) if is_open else q.ends_on
        start = max(q.starts_on, row["created_at"].date())
        if end < start:
            end = start
        elapsed = (
            1.0
            if not is_open
            else max(
                0.0,
                min(
                    1.0,
                    (self.today - q.starts_on).days / (q.ends_on - q.starts_on).days,
                ),
            )
        )
        status, progress = row["status"], row["progress"]
        roll = rng.random()
        if status == "done":
            final = "done"
        elif roll < 0.03:
            final = "cancelled"
        elif roll < 0.06 and not is_open:
            final = "postponed"
        elif roll < 0.06 + 0.8 * elapsed:
            final = "done"
        elif roll < 0.06 + 0.8 * elapsed + 0.04 and status == "not_started":
            final = "not_started"
        else:
            final = "in_progress"
        if final == "done" and status != "done":
            due = row["due_on"] or end
            if rng.random() < 0.85 or due >= end:
                low = max(start, min(due, end) - dt.timedelta(days=30))
                completed = _between(rng, low, min(due, end))
            else:
                completed = _between(rng, due + dt.timedelta(days=1), end)
            row["completed_on"] = completed
            target = 100
        elif final == "done":
            completed = row["completed_on"] or start
            target = 100
        else:
            completed = None
            target = {
                "not_started": 0,
                "cancelled": progress,
                "postponed": progress,
            }.get(final, min(95, max(progress + 5, rng.randint(10, 90))))
        self._shares(row, final, completed, target, start, end)
        parts = [link for link in row["_links"] if link["role"] == "participating"]
        if parts and final in ("in_progress", "done"):
            # As report_share does: progress is the share of units done.
            done = sum(1 for link in parts if link["share_status"] == "done")
            target = round(100 * done / len(parts))
            if done == len(parts):
                final = "done"
                completed = max(link["share_done_on"] for link in parts)
                row["completed_on"] = completed
            elif final == "done":
                final = "in_progress"
        self._progress_history(row, final, target, start, end, completed)
        row["status"], row["progress"] = final, (100 if final == "done" else target)
        if final != "done":
            row["completed_on"] = None
        self._kind_results(row, final)
        row["result"] = _result(row) if final == "done" else ""
        row["updated_at"] = max(u["created_at"] for u in row["_history"])
        row["version"] = len(row["_history"])

    def _shares(self, row, final, completed, target, start, end):
        rng = self.rng
        parts = [link for link in row["_links"] if link["role"] == "participating"]
        if not parts or final in ("not_started", "cancelled", "postponed"):
            return
        for link in parts:
            if link["share_status"] == "done":
                continue
            if final == "done" or rng.random() * 100 < target:
                when = _between(rng, start, completed or end)
                old = link["share_status"]
                link.update(
                    share_status="done",
                    share_done_on=when,
                    share_note="Đã tổ chức thực hiện, báo cáo kết quả.",
                    share_updated_at=_at(when, 16),
                )
            elif rng.random() < 0.3:
                when = _between(rng, start, end)
                old = link["share_status"]
                link.update(
                    share_status="in_progress",
                    share_note="Đang triển khai.",
                    share_updated_at=_at(when, 16),
                )
            else:
                continue
            row["_history"].append(
                self._update(
                    row,
                    "share",
                    link["share_updated_at"],
                    unit_id=link["unit_id"],
                    note=link["share_note"],
                    changes={"share_status": [old, link["share_status"]]},
                )
            )

    def _progress_history(self, row, final, target, start, end, completed):
        rng = self.rng
        status, progress = row["status"], row["progress"]
        if final == status and target == progress:
            return
        steps = (
            1
            if final in ("cancelled", "postponed", "not_started")
            else rng.randint(1, 3)
        )
        days = sorted(_between(rng, start, end) for _ in range(steps))
        if completed is not None and final == "done":
            days[-1] = max(days[-1], completed)
        for number, day in enumerate(days, start=1):
            last = number == steps
            new_status = final if last else "in_progress"
            new_progress = (
                target
                if last
                else min(target, progress + (target - progress) * number // steps)
            )
            changes = None
            if last and final == "done" and completed is not None:
                changes = {"completed_on": [None, completed.isoformat()]}
            row["_history"].append(
                self._update(
                    row,
                    "progress",
                    _at(day, rng.randint(8, 17), rng.randint(0, 59)),
                    old_status=status,
                    new_status=new_status,
                    old_progress=progress,
                    new_progress=100 if new_status == "done" else new_progress,
                    note=rng.choice(NOTES),
                    changes=changes,
                )
            )
            status, progress = new_status, new_progress

    def _kind_results(self, row, final):
        rng = self.rng
        kind = row["kind"]
        done = final == "done"
        if kind == "congress" and done:
            row["held_on"] = row["completed_on"]
        elif kind == "training" and done:
            row["trainees_attended"] = int(
                row["trainees_planned"] * rng.uniform(0.8, 1)
            )
        elif kind == "dialogue" and (done or final == "in_progress"):
            row["participants"] = rng.randint(60, 300) * (
                1 if not row["target_count"] else row["target_count"]
            )
            raised = rng.randint(3, 20) * max(1, row["target_count"] or 1)
            row["opinions_raised"] = raised
            row["opinions_answered"] = raised if done else rng.randint(0, raised)
            if done:
                row["held_on"] = row["completed_on"]
        elif kind == "movement" and done:
            row["models_recognised"] = rng.randint(0, row["models_registered"] or 0)
        if row["target_count"] is not None:
            row["achieved_count"] = (
                row["target_count"] if done else rng.randint(0, row["target_count"])
            )

    def _close(self, q, rows):
        """Carry or close unfinished work, freeze the record; return what carries."""
        rng = self.rng
        closed_at = _at(q.ends_on + dt.timedelta(days=3), 16)
        carried = []
        for row in rows:
            needs = row["is_recurring"] or row["status"] not in ("done", "cancelled")
            keep = 0.85 if row["is_recurring"] else 0.9
            if needs and rng.random() < keep:
                carried.append(row)
            elif needs:
                self._end(row, rng.choice(("not_needed", "cancelled")), closed_at,
                          "Không còn phù hợp với tình hình thực tế.")
        overflow = len(carried) - self.sizes.tasks_per_quarter
        if overflow > 0:  # keep the next quarter at its size: close the surplus here
            for row in carried[-overflow:]:
                self._end(row, "not_needed", closed_at, "")
            carried = carried[:-overflow]
        next_key = "{}-Q{}".format(*_step_back(q.year, q.number, -1))
        next_first = self.next_id["task"]
        for offset, row in enumerate(carried):
            row["_history"].append(
                self._update(
                    row,
                    "carried_out",
                    closed_at,
                    user_id=self.leader_id,
                    changes={"to": next_key, "to_task": next_first + offset},
                )
            )
            row["_quarter_end"], row["_quarter_key"] = q.ends_on, q.key
            row["_closed_at"] = closed_at
        cutoff = q.ends_on + dt.timedelta(days=1)  # Quarter.closed_cutoff
        for row in rows:
            row["frozen_timeliness"] = closing_class(
                row["status"], row["due_on"], row["completed_on"], cutoff,
                row.get("held_on"),
            )
        return carried

    def _end(self, row, reason, at, note):
        """End the task at its quarter's close as close_quarter does: reason, note,
        and the status "cancelled" for unfinished work, in its history."""
        old_status = row["status"]
        row["closing_reason"] = reason
        row["closing_note"] = note
        changes = {"closing_reason": [None, reason]}
        if old_status not in ("done", "cancelled"):
            row["status"] = "cancelled"
            changes["status"] = [old_status, "cancelled"]
        update = self._update(row, "closed", at, user_id=self.leader_id, note=note,
                              changes=changes)
        update["old_status"] = old_status
        row["_history"].append(update)

    def _update(
        self,
        row,
        action,
        at,
        user_id=None,
        unit_id=None,
        old_status=None,
        new_status=None,
        old_progress=None,
        new_progress=None,
        note="",
        changes=None,
    ):
        if action in ("carried_out", "closed"):
            old_status = new_status = row["status"]
            old_progress = new_progress = row["progress"]
        if action == "share":
            old_status = new_status = row["status"]
            old_progress = new_progress = row["progress"]
        update = dict(self.update_blank)
        update.update(
            task_id=row["id"],
            user_id=user_id or self.rng.choice(self.reporters),
            unit_id=unit_id,
            created_at=at,
            action=action,
            old_status=old_status,
            new_status=new_status,
            old_progress=old_progress,
            new_progress=new_progress,
            note=note,
            changes=changes,
        )
        return update

    def _flush(self):
        """Insert the quarter's rows: tasks, then their links and history."""
        tasks = self.pending
        _insert(Task.__table__, [_task_columns(row) for row in tasks])
        links, updates = [], []
        for row in tasks:
            for link in row["_links"]:
                links.append(
                    dict(
                        task_id=row["id"],
                        unit_id=link["unit_id"],
                        role=link["role"],
                        share_status=link["share_status"],
                        share_done_on=link["share_done_on"],
                        share_note=link["share_note"],
                        share_updated_at=link["share_updated_at"],
                    )
                )
            history = sorted(row["_history"], key=lambda u: u["created_at"])
            for update in history:
                update["id"] = self._id("task_update")
            updates += history
        _insert(TaskUnit.__table__, links)
        _insert(TaskUpdate.__table__, updates)
        self.counts.links += len(links)
        self.counts.updates += len(updates)
        self.pending = []
        db.session.commit()

    # ---- the quarters' close and approval ----------------------------------------
    def finish_quarters(self):
        """Record who closed and approved each quarter, with the stored list counts."""
        closed = [q for q in self.quarters if q.state == "closed"]
        # Every task is in by now, so the carried-out counts are complete; timeliness
        # is frozen, so the date does not matter.
        counts = count_for_list(closed, self.today)
        events = []
        for q in closed:
            closed_at = _at(q.ends_on + dt.timedelta(days=3), 16)
            values = dict(closed_by_id=self.leader_id, closed_counts=counts[q.id])
            events.append(self._event(q, "closed", closed_at))
            if q.approved:
                approved_at = closed_at + dt.timedelta(days=2)
                values.update(
                    approved_at=approved_at,
                    approved_by_id=self.leader_id,
                )
                events.append(self._event(q, "approved", approved_at))
            db.session.execute(
                Quarter.__table__.update().where(Quarter.id == q.id).values(**values)
            )
        _insert(AuditEvent.__table__, events)
        db.session.commit()

    def _event(self, q, action, at):
        return dict(
            id=self._id("audit_event"),
            board_id=self.board_id,
            created_at=at,
            user_id=self.leader_id,
            entity_type="quarter",
            entity_id=q.id,
            action=action,
            changes=None,
            note="",
        )


def _between(rng, low, high):
    """Return a random date from low to high (high if the range is empty)."""
    span = (high - low).days
    if span <= 0:
        return high
    return low + dt.timedelta(days=rng.randint(0, span))


def _step_back_date(day, days):
    return day - dt.timedelta(days=days)


def _result(row):
    kind = row["kind"]
    if kind == "dialogue" and row["opinions_raised"]:
        return (
            f"Đã tổ chức tiếp xúc, đối thoại; {row['opinions_answered']}/"
            f"{row['opinions_raised']} ý kiến đã được trả lời, giải đáp."
        )
    if kind == "congress":
        return f"Đại hội tổ chức thành công với {row['delegates']} đại biểu."
    if kind == "training" and row["trainees_attended"]:
        return f"Đã tổ chức {row['sessions']} lớp, {row['trainees_attended']} học viên."
    return "Hoàn thành theo kế hoạch."


SEARCH_FIELDS = (
    "title",
    "description",
    "campaign_name",
    "organisation",
    "source_document",
    "audience",
    "chair",
    "commune",
    "result",
)


def _task_columns(row):
    """Return the row's column values, with the folded search text filled in."""
    values = {key: value for key, value in row.items() if not key.startswith("_")}
    values["search_text"] = fold(
        " ".join(values[name] for name in SEARCH_FIELDS if values[name])
    )
    return values


def _insert(table, rows):
    """Insert rows (dicts with the same keys) in batches through Core."""
    for start in range(0, len(rows), BATCH):
        db.session.execute(table.insert(), rows[start : start + BATCH])


def _fix_sequences():
    """Move PostgreSQL's id sequences past the ids this run gave explicitly."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in ("board", "unit", "user", "quarter", "task", "task_update",
                  "audit_event"):
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"), false)'
            )
        )
    db.session.commit()


DISTRICT_NAMES = (
    "Sơn Tịnh", "Bình Sơn", "Tư Nghĩa", "Nghĩa Hành", "Mộ Đức", "Đức Phổ", "Ba Tơ",
    "Minh Long", "Sơn Hà", "Sơn Tây", "Trà Bồng", "Lý Sơn", "Tây Trà",
)


def _board_row(board_id, code, name, level, parent_id, order, today):
    return dict(
        id=board_id, code=code, name=name, level=level, parent_id=parent_id,
        sort_order=order, is_active=True, merged_into_id=None, continues_from=None,
        created_at=_at(today),
    )


def _run(generator):
    generator.build_units()
    generator.build_quarters()
    generator.build_users()
    generator.build_tasks()
    generator.finish_quarters()
    return generator.counts


def _add_counts(total, counts):
    for name in ("units", "users", "quarters", "tasks", "links", "updates", "carried"):
        setattr(total, name, getattr(total, name) + getattr(counts, name))


def generate(sizes, today, progress=None):
    """Fill the (empty) database with synthetic data of the sizes; return Counts.

    With districts, the first board is a province's (its own smaller plan; the demo
    accounts are its) and each district board below it gets the sizes given, its
    accounts named with its number (lanhdao_h01, canbo001_h01, ...).
    """
    if sizes.units < MIN_UNITS:
        raise ValueError(f"at least {MIN_UNITS} units are needed")
    # A fresh database holds the migrations' empty board: this one replaces it.
    from tracker.models import Organisation

    db.session.execute(Organisation.__table__.delete())
    db.session.execute(Board.__table__.delete())
    if not sizes.districts:
        _insert(Board.__table__, [_board_row(
            1, "son-tinh", "Ban Dân vận Huyện ủy Sơn Tịnh", "district", None, 0, today)])
        counts = _run(Generator(sizes, today, progress, board_id=1))
        _fix_sequences()
        return counts
    boards = [_board_row(1, "quang-ngai", "Ban Dân vận Tỉnh ủy Quảng Ngãi", "province",
                         None, 0, today)]
    for number in range(1, sizes.districts + 1):
        place = DISTRICT_NAMES[(number - 1) % len(DISTRICT_NAMES)]
        if number > len(DISTRICT_NAMES):
            place = f"{place} {(number - 1) // len(DISTRICT_NAMES) + 1}"
        boards.append(_board_row(number + 1, f"huyen-{number:02d}",
                                 f"Ban Dân vận Huyện ủy {place}", "district", 1, number,
                                 today))
    _insert(Board.__table__, boards)
    taken = {"unit": 0, "user": 0, "quarter": 0}
    own = replace(sizes, tasks_per_quarter=sizes.own_tasks_per_quarter,
                  units=max(MIN_UNITS, min(sizes.units, MIN_UNITS + 7)))
    total = _run(Generator(own, today, progress, board_id=1, taken=taken))
    for number in range(1, sizes.districts + 1):
        district = replace(sizes, seed=sizes.seed * 1000 + number)
        _add_counts(total, _run(Generator(
            district, today, progress, board_id=number + 1, taken=taken,
            suffix=f"_h{number:02d}")))
    _fix_sequences()
    return total

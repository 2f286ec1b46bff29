"""Builders for the report tests: plan files and a quarter with tasks of every kind."""
import datetime as dt
import io

import pytest
from openpyxl import Workbook

from tracker.petitions.services import record_imported_counts

D = dt.date


@pytest.fixture
def xlsx_file():
    """Return a builder of .xlsx bytes from rows of cell values (first row: headers)."""

    def build(rows):
        workbook = Workbook()
        sheet = workbook.active
        for row in rows:
            sheet.append(list(row))
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    return build


@pytest.fixture
def csv_file():
    """Return a builder of CSV bytes from rows, in an encoding (UTF-8 with BOM)."""
    import csv

    def build(rows, encoding="utf-8-sig", delimiter=","):
        # Letters a legacy code page lacks become "?", as a real save would do.
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
        for row in rows:
            writer.writerow(row)
        return out.getvalue().encode(encoding, errors="replace")

    return build


@pytest.fixture
def upload(client):
    """Return a function posting a file to a quarter's import page."""

    def post(key, content, filename="ke-hoach.xlsx", lang=None):
        url = f"/quarters/{key}/import" + (f"?lang={lang}" if lang else "")
        return client.post(
            url, data={"file": (io.BytesIO(content), filename)},
            content_type="multipart/form-data",
        )

    return post


@pytest.fixture
def units(make_unit):
    """Create the units the plan files name."""
    return {
        "BDV": make_unit("Ban Dân vận Huyện ủy Sơn Tịnh", "BDV", kind="party_board"),
        "HND": make_unit("Hội Nông dân huyện Sơn Tịnh", "HND"),
        "MTTQ": make_unit("Ủy ban MTTQ Việt Nam huyện Sơn Tịnh", "MTTQ", kind="front"),
        "TT": make_unit("Đảng ủy xã Tịnh Trà", "ĐU Tịnh Trà",
                        kind="commune_party_committee"),
        "TH": make_unit("Đảng ủy xã Tịnh Hiệp", "ĐU Tịnh Hiệp",
                        kind="commune_party_committee"),
    }


@pytest.fixture
def varied_quarter(db, make_quarter, units, make_task):
    """Build 2023-Q2 with a task of each shape the exports and the import must carry."""
    quarter = make_quarter(2023, 2, state="active")
    make_task(quarter=quarter, lead=units["HND"], coordinating=[units["BDV"]],
              kind="congress",
              title="Đại hội đại biểu Hội Nông dân huyện lần thứ XII, nhiệm kỳ 2023–2028",
              organisation="Hội Nông dân huyện Sơn Tịnh", congress_ordinal=12,
              term_start=2023, term_end=2028, delegates=150, held_on=D(2023, 5, 10),
              status="done", progress=100, completed_on=D(2023, 5, 10),
              source_document="Kế hoạch số 20-KH/HND")
    dialogue = make_task(quarter=quarter, lead=units["BDV"],
              participating=[units["TT"], units["TH"]], kind="dialogue",
              title="Bí thư Đảng ủy 2 xã tổ chức tiếp xúc, đối thoại với nhân dân",
              chair="Bí thư Đảng ủy xã", commune="2 xã", target_count=2,
              achieved_count=1, target_label="cuộc", participants=300,
              status="in_progress", progress=50, due_on=D(2023, 6, 15))
    record_imported_counts(dialogue, 20, 18, answered_on=D(2023, 5, 5))
    db.session.commit()
    make_task(quarter=quarter, lead=units["BDV"], kind="training",
              title="Lớp tập huấn nghiệp vụ công tác dân vận",
              audience="Cán bộ làm công tác dân vận", sessions=2, trainees_planned=180,
              description="Hai lớp tại huyện.\nMột lớp cho cơ sở.")
    make_task(quarter=quarter, lead=units["MTTQ"], coordinating=[units["BDV"]],
              kind="movement", title="Cuộc vận động “Ngày vì người nghèo”",
              campaign_name="Ngày vì người nghèo",
              due_on=D(2023, 12, 31))
    make_task(quarter=quarter, lead=units["BDV"], kind="monitoring",
              title="Theo dõi, nắm bắt tình hình nhân dân", is_recurring=True,
              status="in_progress", due_on=None, result="Nắm chắc tình hình.")
    return quarter

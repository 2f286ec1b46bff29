"""Importing a plan that gives shares to villages: found by name, short name or the
label the task form shows ("ĐU Tịnh Trà › Thôn An Lộc")."""
import pytest

from tests.helpers import page_text
from tracker.models import Task


@pytest.fixture
def villages(units, make_unit):
    """Add two villages under Tịnh Trà and one under Tịnh Hiệp."""
    return {
        "AL": make_unit("Thôn An Lộc", "An Lộc", kind="village", parent=units["TT"]),
        "TB": make_unit("Tổ dân phố Trà Bình", "TDP Trà Bình",
                        kind="residential_group", parent=units["TT"]),
        "BD": make_unit("Thôn Bình Đông", "Bình Đông", kind="village",
                        parent=units["TH"]),
    }


def _confirm(client, response, key="2023-Q3"):
    text = page_text(response)
    token = text.split('name="token" value="')[1].split('"')[0]
    return client.post(f"/quarters/{key}/import/confirm", data={"token": token})


def test_villages_are_found_by_name_short_name_or_label(client, login_as, make_quarter,
                                                        units, villages, db, csv_file,
                                                        upload):
    make_quarter(2023, 3, state="planning")
    login_as("staff", units=[units["BDV"]])
    header = ["kind", "title", "lead_unit", "coordinating", "participating"]
    content = csv_file([header, [
        "Khác", "Rà soát Quy chế dân chủ ở các thôn", "ĐU Tịnh Trà › Thôn An Lộc",
        "tdp tra binh", "Thôn Bình Đông; ĐU Tịnh Trà > Tổ dân phố Trà Bình"]])
    text = page_text(upload("2023-Q3", content, "a.csv"))
    # Found under both names, Trà Bình is both coordinating and participating:
    # refused, and said so.
    assert "Một đơn vị không thể vừa phối hợp vừa cùng thực hiện." in text
    assert "Không có đơn vị" not in text
    content = csv_file([header, [
        "Khác", "Rà soát Quy chế dân chủ ở các thôn", "ĐU Tịnh Trà › Thôn An Lộc",
        "tdp tra binh", "Thôn Bình Đông"]])
    response = upload("2023-Q3", content, "a.csv")
    assert response.status_code == 200, page_text(response)
    assert _confirm(client, response).status_code == 302
    task = db.session.scalar(db.select(Task))
    assert task.lead_unit_id == villages["AL"].id
    assert sorted((link.unit.short_name, link.role) for link in task.unit_links) == [
        ("Bình Đông", "participating"), ("TDP Trà Bình", "coordinating")]


def test_an_unknown_village_label_is_named(client, login_as, make_quarter, units,
                                           villages, db, csv_file, upload):
    make_quarter(2023, 3, state="planning")
    login_as("staff", units=[units["BDV"]])
    content = csv_file([["kind", "title", "lead_unit"],
                        ["Khác", "Việc của thôn", "ĐU Tịnh Hiệp › Thôn An Lộc"]])
    text = page_text(upload("2023-Q3", content, "a.csv"))
    assert "Không có đơn vị “ĐU Tịnh Hiệp › Thôn An Lộc” trong danh sách" in text
    assert db.session.scalar(db.select(db.func.count(Task.id))) == 0

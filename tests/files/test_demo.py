"""The demo shows evidence files: minutes, a list and a photo of a congress, and a
commune's report on its share."""
from sqlalchemy import select

from tests.helpers import get_task, page_text
from tracker.files.content import detect
from tracker.files.services import path_of
from tracker.models import StoredFile


def test_the_demo_attaches_genuine_files(client, demo, db):
    congress = get_task("Đại hội Công đoàn huyện lần thứ XIX")
    files = db.session.scalars(select(StoredFile).where(
        StoredFile.task_id == congress.id).order_by(StoredFile.id)).all()
    assert [f.original_name for f in files] == [
        "Biên bản Đại hội Công đoàn huyện lần thứ XIX.docx",
        "Danh sách đoàn đại biểu.xlsx", "Ảnh đại hội.png"]
    for stored in files:
        with open(path_of(stored), "rb") as handle:
            assert detect(handle).content_type == stored.content_type
    shared = db.session.scalars(select(StoredFile).where(
        StoredFile.attached_to == "share")).one()
    assert shared.unit_id is not None and shared.content_type == "application/pdf"

    response = client.post("/login", data={"username": "canbo_bdv", "password": "demo"})
    assert response.status_code == 302
    page = page_text(client.get(f"/tasks/{congress.id}"))
    assert "Danh sách đoàn đại biểu.xlsx" in page and "Ảnh đại hội.png" in page
    response = client.get(f"/files/{files[0].id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")

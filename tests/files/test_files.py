"""Evidence files: attached to reports by content, stored outside the database,
served as attachments to the units on the task only, read-only once closed."""
import hashlib
import io
import os

import pytest
from sqlalchemy import func, select

from tests.files import samples
from tests.helpers import page_text
from tracker.auth import policy
from tracker.files import services, storage
from tracker.files.content import NotAccepted, detect
from tracker.models import Board, Quarter, StoredFile, Task, TaskUpdate
from tracker.models.guard import ClosedQuarterError

PASSWORD = "secret-pass"


@pytest.fixture
def files_dir(app, tmp_path):
    """Give the test a files folder of its own."""
    saved = app.config["FILES_DIR"]
    app.config["FILES_DIR"] = str(tmp_path / "files")
    yield tmp_path / "files"
    app.config["FILES_DIR"] = saved


@pytest.fixture
def shared(make_task, make_unit, make_user, make_quarter):
    """Return a task led by the board's unit with one commune taking part."""
    quarter = make_quarter(2023, 2)
    board_unit = make_unit("Ban Dân vận Huyện ủy", "BDV", kind="party_board")
    commune = make_unit("Đảng ủy xã Tịnh Trà", "ĐU Tịnh Trà",
                        kind="commune_party_committee")
    outsider = make_unit("Đảng ủy xã Tịnh Hà", "ĐU Tịnh Hà",
                         kind="commune_party_committee")
    task = make_task(quarter=quarter, lead=board_unit, participating=[commune],
                     title="Bí thư tiếp xúc, đối thoại với nhân dân")
    users = {
        "lead": make_user("bdv", units=[board_unit]),
        "commune": make_user("tinhtra", units=[commune]),
        "outsider": make_user("tinhha", units=[outsider]),
        "leader": make_user("truongban", role="leader"),
    }
    return task, commune, users


def sign_in(client, user):
    """Sign the client in as the user."""
    client.post("/logout")
    response = client.post("/login", data={"username": user.username,
                                           "password": PASSWORD})
    assert response.status_code == 302
    client.get("/?lang=en")  # the messages below are the English ones


def upload(client, task, files, **fields):
    """Post a progress report carrying files [(name, bytes)]."""
    data = dict(status="in_progress", progress="40", note="")
    data.update(fields)
    data["files"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(f"/tasks/{task.id}/status", data=data,
                       content_type="multipart/form-data")


def stored_on_disk(folder):
    """Return the stored files under the folder (temporary uploads aside)."""
    return sorted(path.name for path in folder.glob("*/*")
                  if path.parent.name != storage.TEMP_FOLDER)


def counts(db):
    """Return (stored files, history rows)."""
    return (db.session.scalar(select(func.count(StoredFile.id))),
            db.session.scalar(select(func.count(TaskUpdate.id))))


# ---- the content decides --------------------------------------------------------

@pytest.mark.parametrize("content, extension", [
    (samples.pdf(), "pdf"), (samples.png(), "png"), (samples.jpg(), "jpg"),
    (samples.docx(), "docx"), (samples.xlsx(), "xlsx"),
])
def test_each_accepted_kind_is_known_by_its_content(content, extension):
    assert detect(io.BytesIO(content)).extension == extension


@pytest.mark.parametrize("content, reason", [
    (b"", "empty"),
    (samples.exe(), "executable"),
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 50, "executable"),
    (b"#!/bin/sh\nrm -rf /\n", "executable"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, "old_office"),
    (samples.zip_of(["a.txt"]), "unknown"),
    (samples.zip_of(["[Content_Types].xml", "ppt/presentation.xml"]), "unknown"),
    (samples.zip_of(["[Content_Types].xml", "word/document.xml",
                     "word/vbaProject.bin"]), "macros"),
    (b"PK\x03\x04 not really a zip", "unknown"),
    (b"<html><script>alert(1)</script></html>", "unknown"),
    (b"GIF89a" + b"\x00" * 20, "unknown"),
])
def test_other_content_is_refused_whatever_its_name(content, reason):
    with pytest.raises(NotAccepted) as refusal:
        detect(io.BytesIO(content))
    assert refusal.value.reason == reason


@pytest.mark.parametrize("sent, extension, kept", [
    ("bien-ban.pdf", "pdf", "bien-ban.pdf"),
    ("../../etc/passwd.pdf", "pdf", "passwd.pdf"),
    ("C:\\Users\\Lan\\Biên bản họp.PDF", "pdf", "Biên bản họp.pdf"),
    ("anh-hoi-nghi.pdf", "png", "anh-hoi-nghi.png"),
    ("a\x00b<c>|d.docx", "docx", "ab_c__d.docx"),
    ("...", "xlsx", "file.xlsx"),
    ("", "jpg", "file.jpg"),
    ("x" * 300 + ".pdf", "pdf", "x" * 120 + ".pdf"),
])
def test_names_are_cleaned_and_end_in_the_contents_extension(sent, extension, kept):
    from flask_babel import gettext

    kept = kept.replace("file.", gettext("file") + ".")  # a name of none is "tệp"
    assert services.clean_name(sent, extension) == kept


# ---- attaching to a progress report ---------------------------------------------

def test_a_report_carries_good_files_stored_by_content(
        client, db, shared, files_dir):
    task, _commune, users = shared
    sign_in(client, users["lead"])
    files = [("bien-ban.pdf", samples.pdf()), ("anh.png", samples.png()),
             ("bao-cao.docx", samples.docx()), ("danh-sach.xlsx", samples.xlsx())]
    response = upload(client, task, files, note="Đã tổ chức 3/11 cuộc")
    assert response.status_code == 302, page_text(response)
    update = db.session.scalars(select(TaskUpdate).where(
        TaskUpdate.task_id == task.id, TaskUpdate.action == "progress")).one()
    rows = db.session.scalars(select(StoredFile).order_by(StoredFile.id)).all()
    kinds = [(row.original_name, row.content_type.rsplit(".", 1)[-1]) for row in rows]
    assert kinds == [
        ("bien-ban.pdf", "application/pdf"), ("anh.png", "image/png"),
        ("bao-cao.docx", "document"), ("danh-sach.xlsx", "sheet")]
    for row, (_name, content) in zip(rows, files):
        assert row.task_update_id == update.id and row.attached_to == "progress"
        assert row.size == len(content) and row.created_by_id == users["lead"].id
        assert row.sha256 == hashlib.sha256(content).hexdigest()
        path = files_dir / row.storage_key
        assert path.read_bytes() == content
    assert not list((files_dir / storage.TEMP_FOLDER).iterdir())
    page = client.get(f"/tasks/{task.id}")
    text = page_text(page)
    assert "bien-ban.pdf" in text and "danh-sach.xlsx" in text
    assert f'href="/files/{rows[0].id}"' in page.get_data(as_text=True)


def test_a_report_of_files_only_is_written_for_them(client, db, shared, files_dir):
    task, _commune, users = shared
    sign_in(client, users["lead"])
    response = client.post(f"/tasks/{task.id}/status", data=dict(
        status=task.status, progress=str(task.progress),
        files=[(io.BytesIO(samples.pdf()), "ky-ket.pdf")]),
        content_type="multipart/form-data")
    assert response.status_code == 302
    stored = db.session.scalars(select(StoredFile)).one()
    assert stored.task_update.action == "progress"


def test_the_same_content_twice_is_stored_once(client, db, shared, files_dir):
    task, _commune, users = shared
    sign_in(client, users["lead"])
    content = samples.pdf()
    assert upload(client, task, [("a.pdf", content)]).status_code == 302
    assert upload(client, task, [("b.pdf", content)],
                  progress="50").status_code == 302
    assert counts(db)[0] == 2
    assert stored_on_disk(files_dir) == [hashlib.sha256(content).hexdigest()]


@pytest.mark.parametrize("name, content, message", [
    ("bien-ban.pdf", samples.exe(), "is a program"),
    ("setup.exe", samples.exe(), "is a program"),
    ("trong.pdf", b"", "is empty"),
    ("bao-cao.docx", samples.zip_of(["a.txt"]), "is not a PDF"),
    ("macro.docx", samples.zip_of(["[Content_Types].xml", "word/document.xml",
                                   "word/vbaProject.bin"]), "contains macros"),
])
def test_a_refused_file_stores_nothing_and_says_why(
        client, db, shared, files_dir, name, content, message):
    task, _commune, users = shared
    sign_in(client, users["lead"])
    before = counts(db)
    # A good file beside it is not kept either: a report is saved whole or not at all.
    response = upload(client, task, [("tot.pdf", samples.pdf()), (name, content)],
                      note="Kèm biên bản")
    assert response.status_code == 400
    text = page_text(response)
    assert name in text and message in text
    db.session.expire_all()
    assert counts(db) == before
    assert db.session.get(Task, task.id).progress == 0
    assert stored_on_disk(files_dir) == []
    assert not list((files_dir / storage.TEMP_FOLDER).iterdir())


def test_an_oversized_file_is_refused_with_the_limit(
        app, client, db, shared, files_dir):
    task, _commune, users = shared
    sign_in(client, users["lead"])
    app.config["MAX_FILE_MB"] = 1
    try:
        big = samples.pdf() + b"0" * (1024 * 1024)
        response = upload(client, task, [("lon.pdf", big)])
    finally:
        app.config["MAX_FILE_MB"] = 20
    assert response.status_code == 400
    assert "“lon.pdf” is larger than 1 MB" in page_text(response)
    assert counts(db) == (0, 1)  # the task's "created" row only
    assert stored_on_disk(files_dir) == []
    assert not list((files_dir / storage.TEMP_FOLDER).iterdir())


def test_a_request_beyond_every_limit_gets_a_page_not_an_error(
        app, client, db, shared, files_dir):
    task, _commune, users = shared
    sign_in(client, users["lead"])
    app.config.update(MAX_FILE_MB=1, MAX_FILES_PER_UPLOAD=1)
    try:
        response = upload(client, task, [("lon.pdf", b"%PDF-" + b"0" * 3 * 2 ** 20)])
    finally:
        app.config.update(MAX_FILE_MB=20, MAX_FILES_PER_UPLOAD=10)
    assert response.status_code == 413
    text = page_text(response)
    assert "too large" in text and "1 MB each" in text
    assert counts(db) == (0, 1)
    assert stored_on_disk(files_dir) == []


def test_other_forms_keep_the_general_limit(app, client, shared, files_dir):
    """Only the upload forms are allowed their files' size."""
    task, _commune, users = shared
    sign_in(client, users["lead"])
    response = client.post(f"/tasks/{task.id}/direction",
                           data={"direction": "x" * (6 * 2 ** 20)})
    assert response.status_code == 413


def test_too_many_files_at_once_are_refused(app, client, db, shared, files_dir):
    task, _commune, users = shared
    sign_in(client, users["lead"])
    app.config["MAX_FILES_PER_UPLOAD"] = 2
    try:
        response = upload(client, task, [(f"{n}.png", samples.png()) for n in range(3)])
    finally:
        app.config["MAX_FILES_PER_UPLOAD"] = 10
    assert response.status_code == 400
    assert "at most 2 files" in page_text(response)
    assert counts(db) == (0, 1)


def test_a_unit_attaches_files_to_its_share(client, db, shared, files_dir):
    task, commune, users = shared
    sign_in(client, users["commune"])
    response = client.post(f"/tasks/{task.id}/share", data=dict(
        unit_id=str(commune.id), share_status="done", share_note="Đã tổ chức",
        files=[(io.BytesIO(samples.jpg()), "anh-doi-thoai.jpg")]),
        content_type="multipart/form-data")
    assert response.status_code == 302, page_text(response)
    stored = db.session.scalars(select(StoredFile)).one()
    assert (stored.attached_to, stored.unit_id) == ("share", commune.id)
    assert stored.task_update.action == "share"
    assert stored.content_type == "image/jpeg"


def test_a_share_file_that_is_refused_saves_nothing(client, db, shared, files_dir):
    task, commune, users = shared
    sign_in(client, users["commune"])
    response = client.post(f"/tasks/{task.id}/share", data=dict(
        unit_id=str(commune.id), share_status="done",
        files=[(io.BytesIO(samples.exe()), "anh.jpg")]),
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "is a program" in page_text(response)
    assert counts(db) == (0, 1)
    db.session.expire_all()
    assert db.session.get(Task, task.id).unit_links[0].share_status == "not_started"


# ---- downloading ----------------------------------------------------------------

@pytest.fixture
def attached(client, db, shared, files_dir):
    """Return the shared task, its users and a PDF attached by the lead unit."""
    task, commune, users = shared
    sign_in(client, users["lead"])
    assert upload(client, task, [("Biên bản.pdf", samples.pdf())]).status_code == 302
    client.post("/logout")
    return task, users, db.session.scalars(select(StoredFile)).one()


@pytest.mark.parametrize("who", ["lead", "commune", "leader"])
def test_a_permitted_user_downloads_the_file_as_an_attachment(client, attached, who):
    task, users, stored = attached
    sign_in(client, users[who])
    response = client.get(f"/files/{stored.id}")
    assert response.status_code == 200
    assert response.data == samples.pdf()
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Bi%C3%AAn%20b%E1%BA%A3n.pdf" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "private" in response.headers["Cache-Control"]


def test_a_commune_not_on_the_task_is_refused(client, attached):
    task, users, stored = attached
    sign_in(client, users["outsider"])
    response = client.get(f"/files/{stored.id}")
    assert response.status_code == 403
    assert samples.pdf() not in response.data
    # The task page itself stays readable, without the files.
    page = client.get(f"/tasks/{task.id}")
    assert page.status_code == 200 and "Biên bản.pdf" not in page_text(page)


def test_anonymous_visitors_are_sent_to_sign_in(client, attached):
    _task, _users, stored = attached
    response = client.get(f"/files/{stored.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_file_of_another_board_is_not_found(client, db, attached, make_unit):
    from tracker.boards import scope

    task, users, stored = attached
    other = Board(code="binh-son", name="Ban Dân vận Bình Sơn", level="district")
    db.session.add(other)
    db.session.flush()
    with scope.boards([other.id]):
        quarter = Quarter(year=2023, number=2, state="active", board_id=other.id)
        db.session.add(quarter)
        db.session.flush()
        unit = make_unit("Ban Dân vận Bình Sơn", "BDV BS", kind="party_board")
        from tracker.tasks.services import create_task

        theirs = create_task(quarter, dict(title="Việc Bình Sơn", kind="other",
                                           lead_unit_id=unit.id), None)
        db.session.flush()
        foreign = StoredFile(task=theirs, attached_to="progress",
                             original_name="mat.pdf", content_type="application/pdf",
                             size=stored.size, sha256=stored.sha256,
                             storage_key=stored.storage_key)
        db.session.add(foreign)
        db.session.commit()
    sign_in(client, users["leader"])
    assert client.get(f"/files/{foreign.id}").status_code == 404
    assert client.post(f"/files/{foreign.id}/remove").status_code == 404
    assert client.get(f"/files/{stored.id}").status_code == 200


def test_missing_bytes_answer_404_with_a_message(client, attached, files_dir):
    _task, users, stored = attached
    os.remove(files_dir / stored.storage_key)
    sign_in(client, users["lead"])
    response = client.get(f"/files/{stored.id}")
    assert response.status_code == 404
    assert "missing" in page_text(response)


# ---- removing -------------------------------------------------------------------

def test_removing_keeps_the_record_and_deletes_unused_bytes(
        client, db, attached, files_dir):
    task, users, stored = attached
    sign_in(client, users["lead"])
    response = client.post(f"/files/{stored.id}/remove")
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(StoredFile, stored.id)
    assert row.is_removed and row.removed_by_id == users["lead"].id
    entry = db.session.scalars(select(TaskUpdate).where(
        TaskUpdate.action == "file_removed")).one()
    assert entry.note == "Biên bản.pdf" and entry.user_id == users["lead"].id
    assert not (files_dir / stored.storage_key).exists()
    assert client.get(f"/files/{stored.id}").status_code == 404
    assert "File removed" in page_text(client.get(f"/tasks/{task.id}"))


def test_bytes_another_file_uses_are_kept(client, db, attached, files_dir):
    task, users, stored = attached
    sign_in(client, users["lead"])
    assert upload(client, task, [("ban-sao.pdf", samples.pdf())],
                  progress="60").status_code == 302
    assert client.post(f"/files/{stored.id}/remove").status_code == 302
    assert (files_dir / stored.storage_key).exists()


def test_who_may_remove(client, attached, make_user):
    _task, users, stored = attached
    for who, status in (("outsider", 403), ("commune", 403)):
        sign_in(client, users[who])
        assert client.post(f"/files/{stored.id}/remove").status_code == status
    assert stored.removed_at is None


# ---- a closed quarter's files are read-only ---------------------------------------

def test_a_closed_quarters_files_are_read_only(client, db, attached, files_dir):
    from tracker.quarters.rollover import close_quarter

    task, users, stored = attached
    quarter = db.session.get(Quarter, task.quarter_id)
    close_quarter(quarter, {}, users["leader"])
    db.session.commit()
    sign_in(client, users["leader"])
    before = counts(db)
    response = client.post(f"/files/{stored.id}/remove")
    assert response.status_code == 403
    assert "closed" in page_text(response)
    response = upload(client, db.session.get(Task, task.id),
                      [("moi.pdf", samples.png())])
    assert response.status_code == 403
    assert counts(db) == before
    assert stored_on_disk(files_dir) == [stored.sha256]
    # Reading stays open.
    assert client.get(f"/files/{stored.id}").status_code == 200
    # And no code path changes them: the closed-quarter guard refuses the flush.
    with pytest.raises(ClosedQuarterError):
        services.remove_file(db.session.get(StoredFile, stored.id), users["leader"])
    db.session.rollback()


# ---- rules and the page's cost -------------------------------------------------

def test_who_may_see_a_tasks_files(db, shared, make_user):
    task, commune, users = shared
    assert policy.can_view_task_files(users["lead"], task)
    assert policy.can_view_task_files(users["commune"], task)
    assert policy.can_view_task_files(users["leader"], task)
    assert not policy.can_view_task_files(users["outsider"], task)
    assert policy.can_view_task_files(make_user("doc", role="viewer"), task)
    assert not policy.can_view_task_files(
        make_user("doc2", role="viewer", units=[users["outsider"].units[0]]), task)
    assert not policy.can_view_task_files(None, task)


def test_the_task_pages_statements_do_not_grow_with_its_files(
        client, db, shared, files_dir, count_queries):
    task, _commune, users = shared
    sign_in(client, users["lead"])

    def statements():
        with count_queries() as seen:
            assert client.get(f"/tasks/{task.id}").status_code == 200
        return len(seen)

    upload(client, task, [("1.pdf", samples.pdf("một"))])
    one = statements()
    upload(client, task, [(f"{n}.pdf", samples.pdf(str(n))) for n in range(2, 9)],
           progress="70")
    assert counts(db)[0] == 8
    assert statements() == one


def test_the_refusal_reads_in_vietnamese_by_default(client, db, shared, files_dir):
    task, _commune, users = shared
    sign_in(client, users["lead"])
    client.get("/?lang=vi")
    response = upload(client, task, [("bien-ban.pdf", samples.exe())])
    assert response.status_code == 400
    assert "Tệp “bien-ban.pdf” là chương trình" in page_text(response)
    assert counts(db) == (0, 1)

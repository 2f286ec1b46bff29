"""Every state-changing request needs this session's CSRF token (CSRF switched on)."""
import pytest

from tests.helpers import get_task, page_text
from tests.security.conftest import CSRF_FIELD, csrf_token
from tracker.models import Board, BoardMember, Unit, User

REFUSED = "Biểu mẫu này đã hết hạn hoặc không được gửi từ trang này"


def post_routes(app):
    """Return the endpoints that accept POST."""
    return sorted(
        rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods
    )


def _bdv(db):
    return db.session.scalar(db.select(Unit).where(Unit.short_name == "BDV"))


def _unit(db, short):
    return db.session.scalar(db.select(Unit).where(Unit.short_name == short))


def _user_id(db, username):
    return db.session.scalar(db.select(User.id).where(User.username == username))


def _q1_task(db):
    from tracker.models import Quarter, Task

    return db.session.scalar(db.select(Task.id).join(Quarter).where(
        Quarter.year == 2023, Quarter.number == 1).order_by(Task.id).limit(1))


def _training(db):
    return get_task("Lớp tập huấn nghiệp vụ").id


def _archived_training(db):
    from tracker.tasks.services import archive_task

    task = get_task("Lớp tập huấn nghiệp vụ")
    archive_task(task, None)
    db.session.commit()
    return task.id


def _board(db, code):
    return db.session.scalar(db.select(Board.id).where(Board.code == code))


def _member(db):
    """Return the id of a role given in Bình Sơn to Sơn Tịnh's viewer."""
    member = BoardMember(board_id=_board(db, "binh-son"), role="viewer",
                         user_id=_user_id(db, "khach"))
    db.session.add(member)
    db.session.commit()
    return member.id


PASSWORDS = {"password": "mat-khau-dai", "confirm": "mat-khau-dai"}


def _another_session_of(db, username):
    """Open a second session for the user (another device) and return its id."""
    import secrets

    from tracker.models import SignInSession

    row = SignInSession(user_id=_user_id(db, username), key_hash=secrets.token_hex(32))
    db.session.add(row)
    db.session.commit()
    return row.id


def _token_of(db, username):
    """Make an API token for the user and return its id."""
    from tracker.api.tokens import create_token
    from tracker.models import User as Account

    row, _secret = create_token(db.session.get(Account, _user_id(db, username)), "x")
    db.session.commit()
    return row.id


def _failed_sign_in(db, username):
    from tracker.models import FailedSignIn

    db.session.add(FailedSignIn(username=username))
    db.session.commit()
    return username


# Each POST route with a request that would change something if it were accepted.
ROUTES = {
    "auth.login": lambda db: ("/login", {"username": "quantri", "password": "demo"}),
    "auth.logout": lambda db: ("/logout", {}),
    "auth.change_password": lambda db: (
        "/account/password",
        {"current_password": "secret-pass", "new_password": "a-new-password",
         "confirm": "a-new-password"},
    ),
    "quarters.create": lambda db: ("/quarters/new", {"year": "2024", "number": "1"}),
    "quarters.change_state": lambda db: (
        "/quarters/2023-Q2/state", {"state": "active"}
    ),
    "quarters.close": lambda db: ("/quarters/2023-Q1/close", {"carry_all": "1"}),
    "quarters.approve": lambda db: ("/quarters/2023-Q1/approve", {}),
    "quarters.reopen": lambda db: (
        "/quarters/2023-Q1/reopen", {"reason": "Sửa số liệu"}
    ),
    "tasks.create": lambda db: (
        "/tasks/new?quarter=2023-Q2",
        {"kind": "other", "title": "Nhiệm vụ mới", "lead_unit_id": str(_bdv(db).id)},
    ),
    "tasks.edit": lambda db: (
        f"/tasks/{get_task('Lớp tập huấn nghiệp vụ').id}/edit",
        {"kind": "training", "title": "Tên mới", "lead_unit_id": str(_bdv(db).id)},
    ),
    "tasks.report": lambda db: (
        f"/tasks/{get_task('Lớp tập huấn nghiệp vụ').id}/status",
        {"status": "in_progress", "progress": "55", "note": "Đã mở lớp"},
    ),
    "tasks.report_share": lambda db: (
        f"/tasks/{get_task('nghiêm túc Quy chế dân chủ').id}/share",
        {"unit_id": str(get_task("nghiêm túc Quy chế dân chủ")
                        .participants_links[-1].unit_id),
         "share_status": "done"},
    ),
}


ROUTES.update({
    "tasks.direct": lambda db: (
        f"/tasks/{_training(db)}/direction", {"direction": "Đẩy nhanh tiến độ"}),
    "tasks.archive": lambda db: (
        f"/tasks/{_training(db)}/archive", {"reason": "Trùng nhiệm vụ"}),
    "tasks.restore": lambda db: (f"/tasks/{_archived_training(db)}/restore", {}),
    "admin.new_user": lambda db: ("/admin/users/new", dict(
        PASSWORDS, username="moi", full_name="Người mới", role="staff",
        units=str(_bdv(db).id))),
    "admin.edit_user": lambda db: (
        f"/admin/users/{_user_id(db, 'khach')}",
        {"full_name": "Khách mới", "role": "viewer"}),
    "admin.reset_password": lambda db: (
        f"/admin/users/{_user_id(db, 'khach')}/password", PASSWORDS),
    "admin.deactivate_user": lambda db: (
        f"/admin/users/{_user_id(db, 'khach')}/deactivate", {}),
    "admin.reactivate_user": lambda db: (
        f"/admin/users/{_user_id(db, 'khach')}/reactivate", {}),
    "admin.new_unit": lambda db: ("/admin/units/new", {
        "name": "Đảng ủy xã Tịnh Ấn", "short_name": "ĐU Tịnh Ấn",
        "kind": "commune_party_committee", "parent_id": "0", "sort_order": "40"}),
    "admin.edit_unit": lambda db: (f"/admin/units/{_unit(db, 'HND').id}", {
        "name": "Hội Nông dân huyện (đổi tên)", "short_name": "HND",
        "kind": "mass_org", "parent_id": "0", "sort_order": "3"}),
    "admin.deactivate_unit": lambda db: (
        f"/admin/units/{_unit(db, 'HCCB').id}/deactivate", {}),
    "admin.reactivate_unit": lambda db: (
        f"/admin/units/{_unit(db, 'HCCB').id}/reactivate", {}),
    "admin.new_group": lambda db: ("/admin/groups/new", {
        "name": "Khối mới", "short_name": "KM", "sort_order": "5",
        "members": str(_unit(db, "HND").id)}),
    "admin.edit_group": lambda db: (f"/admin/groups/{_unit(db, 'Khối DV').id}", {
        "name": "Khối Dân vận huyện", "short_name": "Khối DV", "sort_order": "40",
        "members": str(_unit(db, "HND").id)}),
    "reports.settings": lambda db: (
        "/quarters/2023-Q1/report", {"number": "16-BC/BDVHU", "signer_title": "head"}),
    "reports.briefing_meeting": lambda db: ("/quarters/2023-Q2/briefing", {
        "briefing_on": "30/06/2023", "place": "Hội trường",
        "proposals-0-addressee": "Thường trực Huyện ủy",
        "proposals-0-text": "Đề nghị quan tâm chỉ đạo."}),
    "reports.organisation": lambda db: ("/reports/organisation", {
        "superior_body": "HUYỆN ỦY SƠN TỊNH", "issuing_body": "BAN DÂN VẬN",
        "issuer_code": "BDVHU", "place": "Sơn Tịnh", "unit_id": "0"}),
    "auth.end_session": lambda db: (
        f"/account/sessions/{_another_session_of(db, 'admin_user')}/end", {}),
    "admin.lift_sign_in_limit": lambda db: (
        "/admin/sign-ins/lift", {"username": _failed_sign_in(db, "khach")}),
    "reports.import_plan": lambda db: ("/quarters/2023-Q2/import", {}),
    "boards.new": lambda db: ("/admin/boards/new", {
        "name": "Ban Dân vận xã Tịnh Ấn", "code": "tinh-an", "level": "commune",
        "parent_id": str(_board(db, "son-tinh")), "sort_order": "1"}),
    "boards.edit": lambda db: (f"/admin/boards/{_board(db, 'binh-son')}", {
        "name": "Đổi tên", "code": "binh-son", "level": "district",
        "parent_id": "", "sort_order": "1"}),
    "boards.merge": lambda db: (f"/admin/boards/{_board(db, 'binh-son')}/merge", {
        "into": str(_board(db, "son-tinh")), "from_key": "2024-Q1"}),
    "boards.add_member": lambda db: (
        f"/admin/boards/{_board(db, 'binh-son')}/members",
        {"username": "lanhdao", "role": "viewer"}),
    "boards.remove_member": lambda db: (
        f"/admin/boards/{_board(db, 'binh-son')}/members/{_member(db)}/remove", {}),
    "reports.confirm_import": lambda db: (
        "/quarters/2023-Q2/import/confirm", {"token": "unknown"}),
    "reports.plan_next": lambda db: (
        "/quarters/2023-Q1/plan-next", {"task": str(_q1_task(db))}),
    "reports.confirm_plan_next": lambda db: (
        "/quarters/2023-Q1/plan-next/confirm", {"task": str(_q1_task(db))}),
    "reports.import_outside_unit": lambda db: (
        "/quarters/2023-Q2/import/outside-unit",
        {"token": "unknown", "name": "Văn phòng Huyện ủy"}),
    "auth.create_token": lambda db: ("/account/tokens", {"name": "Bảng tính",
                                                         "scope": "write"}),
    "auth.revoke_token": lambda db: (
        f"/account/tokens/{_token_of(db, 'admin_user')}/revoke", {}),
    "petitions.create": lambda db: (
        f"/petitions/new?task={get_task('tiếp xúc, đối thoại giữa Bí thư').id}",
        {"content": "Đề nghị mới", "field": "land", "answering_body": "UBND xã"}),
    "petitions.edit": lambda db: (
        f"/petitions/{_received_petition(db)}/edit",
        {"content": "Đã sửa", "field": "land", "answering_body": "UBND xã"}),
    "petitions.forward": lambda db: (
        f"/petitions/{_received_petition(db)}/forward", {"forwarded_on": "2023-05-10"}),
    "petitions.answer": lambda db: (
        f"/petitions/{_received_petition(db)}/answer",
        {"answer": "Đã trả lời", "answered_on": "2023-05-10"}),
    "petitions.close": lambda db: (
        f"/petitions/{_received_petition(db)}/close",
        {"reason": "Trùng", "closed_on": "2023-05-10"}),
    "congresses.create": lambda db: ("/congresses/new", {
        "organisation": "Hội Nông dân xã Tịnh Ấn", "level": "commune",
        "unit_id": "0", "ordinal": "9", "term_start": "2023", "term_end": "2028"}),
    "congresses.edit": lambda db: (f"/congresses/{_term(db)}/edit", {
        "organisation": "Hội Cựu chiến binh huyện Sơn Tịnh", "level": "district",
        "unit_id": "0", "ordinal": "8", "term_start": "2022", "term_end": "2027"}),
    "files.remove": lambda db: (f"/files/{_attached_file(db)}/remove", {}),
    "initiatives.create": lambda db: ("/initiatives/new", {
        "name": "Mô hình mới", "field": "economy", "unit_id": str(_unit(db, "HND").id),
        "year": "2023", "registered_on": "2023-05-02"}),
    "initiatives.edit": lambda db: (f"/initiatives/{_registered_initiative(db)}/edit", {
        "name": "Đã sửa", "field": "economy", "unit_id": str(_unit(db, "HND").id),
        "year": "2023", "registered_on": "2023-02-10"}),
    "initiatives.step": lambda db: (
        f"/initiatives/{_registered_initiative(db)}/step",
        {"state": "building", "on": "2023-05-10"}),
    "notifications.read": lambda db: (f"/notifications/{_notice(db)}/read", {}),
    "notifications.read_all": lambda db: ("/notifications/read-all", {}),
    "notifications.preferences": lambda db: (
        "/notifications/preferences",
        {"email": "ban@example.vn", "frequency": "daily"}),
    "comments.create": lambda db: (
        f"/tasks/{_training(db)}/comments", {"body": "Nhờ @admin_user xem"}),
    "comments.edit": lambda db: (
        f"/comments/{_comment_of(db, 'admin_user')}/edit", {"body": "Đã sửa"}),
    "auth.create_calendar_token": lambda db: ("/account/calendar", {}),
    "auth.revoke_calendar_token": lambda db: (
        _calendar_of(db, "admin_user") and "/account/calendar/revoke", {}),
    "followup.acknowledge": lambda db: (
        f"/tasks/{_training(db)}/acknowledge",
        {"unit_id": str(get_task("Lớp tập huấn nghiệp vụ").lead_unit_id)}),
    "followup.watch_task": lambda db: (f"/tasks/{_training(db)}/watch", {"watch": "1"}),
    "followup.watch_quarter": lambda db: ("/quarters/2023-Q2/watch", {"watch": "1"}),
    "followup.request_extension": lambda db: (
        f"/tasks/{_training(db)}/extension",
        {"proposed_on": "15/07/2023", "reason": "Chờ kinh phí"}),
    "followup.decide_extension": lambda db: (
        f"/tasks/{_training(db)}/extension/{_pending_extension(db)}",
        {"decision": "approve"}),
    "search.save": lambda db: ("/search/saved", {"name": "Đối thoại",
                                                 "query": "kind=dialogue"}),
    "search.rename": lambda db: (f"/search/saved/{_saved_of(db, 'admin_user')}/rename",
                                 {"name": "Tên mới"}),
    "search.delete": lambda db: (f"/search/saved/{_saved_of(db, 'admin_user')}/delete",
                                 {}),
})


def _saved_of(db, username):
    """Keep a search for the user in their board and return its id."""
    from tracker.models import SavedSearch
    from tracker.models import User as Account

    user = db.session.get(Account, _user_id(db, username))
    saved = SavedSearch(user_id=user.id, board_id=user.board_id, name="Đã lưu",
                        query="q=dan+van")
    db.session.add(saved)
    db.session.commit()
    return saved.id


def _comment_of(db, username):
    """Post a comment on the training task as the user and return its id."""
    from tracker.comments.services import post_comment
    from tracker.models import Task
    from tracker.models import User as Account

    comment = post_comment(db.session.get(Task, _training(db)), "Ý kiến",
                           db.session.get(Account, _user_id(db, username)))
    db.session.commit()
    return comment.id


def _calendar_of(db, username):
    """Make the user's calendar address (so there is one to revoke)."""
    from tracker.me.calendar import create_token
    from tracker.models import User as Account

    create_token(db.session.get(Account, _user_id(db, username)))
    db.session.commit()
    return True


def _term(db):
    from tracker.models import CongressTerm

    return db.session.scalar(db.select(CongressTerm.id).where(
        CongressTerm.organisation == "Hội Cựu chiến binh huyện Sơn Tịnh"))


def _pending_extension(db):
    """Return the id of a request for a later deadline of the training course."""
    import datetime as dt

    from tracker.followup.services import request_extension
    from tracker.models import Task, User

    task = db.session.get(Task, _training(db))
    asker = db.session.scalar(db.select(User).where(User.role == "admin"))
    extension = request_extension(task, dt.date(2023, 7, 20), "Chờ kinh phí", asker)
    db.session.commit()
    return extension.id


def _attached_file(db):
    """Attach a file to the training task and return its id."""
    from tests.files.samples import attach

    stored = attach(get_task("Lớp tập huấn nghiệp vụ"), None)
    db.session.commit()
    return stored.id


def _received_petition(db):
    from tracker.models.petition import Petition

    return db.session.scalar(db.select(Petition.id).where(
        Petition.state == "received", Petition.is_imported.is_(False)))


def _registered_initiative(db):
    from tracker.models.initiative import Initiative

    return db.session.scalar(db.select(Initiative.id).where(
        Initiative.state == "registered", Initiative.is_imported.is_(False))
        .order_by(Initiative.id))


def _notice(db):
    """Return the id of a notice of the demo (the demo's changes make some)."""
    from tracker.models import Notification

    return db.session.scalar(db.select(Notification.id).limit(1))


def test_every_post_route_is_in_the_table(app):
    """A new POST route must be added to ROUTES, so its CSRF check is tested too.

    The API's are not: only a bearer token signs in there, never the session
    (tests/api/test_tokens.py), so there is no CSRF to refuse.
    """
    pages = [name for name in post_routes(app) if not name.startswith("api.")]
    assert pages == sorted(ROUTES)


def _bad_tokens(app, client):
    """Return the wrong tokens to try: none, garbage, another session's."""
    other = app.test_client()
    return {
        "missing": None,
        "garbage": "not-a-token",
        "another session's": csrf_token(other, "/login"),
    }


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
@pytest.mark.parametrize("kind", ["missing", "garbage", "another session's"])
def test_post_without_the_right_token_is_refused(
    app, client, sign_in, demo, snapshot, endpoint, kind
):
    sign_in("admin")
    client.get("/quarters/")  # the session now holds its own CSRF secret
    path, data = ROUTES[endpoint](demo)
    token = _bad_tokens(app, client)[kind]
    if token is not None:
        data = dict(data, csrf_token=token)
    before = snapshot()
    response = client.post(path, data=data)
    assert response.status_code == 400
    text = page_text(response)
    assert REFUSED in text
    assert "vui lòng tải lại trang" in text  # the reason, translated
    assert snapshot() == before
    assert client.get("/quarters/").status_code == 200  # still signed in


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_the_same_post_with_the_right_token_is_not_refused(
    client, sign_in, demo, endpoint
):
    sign_in("admin")
    path, data = ROUTES[endpoint](demo)
    data = dict(data, csrf_token=csrf_token(client, "/quarters/"))
    response = client.post(path, data=data)
    assert response.status_code != 400 or REFUSED not in page_text(response)


def test_progress_report_with_the_token_is_saved(client, sign_in, demo):
    sign_in("staff", units=[get_task("Lớp tập huấn nghiệp vụ").lead_unit])
    task = get_task("Lớp tập huấn nghiệp vụ")
    token = csrf_token(client, f"/tasks/{task.id}")
    response = client.post(
        f"/tasks/{task.id}/status",
        data={"csrf_token": token, "status": "in_progress", "progress": "40"},
    )
    assert response.status_code == 302
    demo.session.refresh(task)
    assert task.progress == 40


def test_a_report_with_files_needs_the_token(client, sign_in, demo, snapshot):
    import io

    from tests.files import samples
    from tracker.models import StoredFile

    sign_in("staff", units=[get_task("Lớp tập huấn nghiệp vụ").lead_unit])
    task = get_task("Lớp tập huấn nghiệp vụ")
    client.get(f"/tasks/{task.id}")

    def post(**token):
        return client.post(f"/tasks/{task.id}/status", data=dict(
            status="in_progress", progress="40",
            files=[(io.BytesIO(samples.pdf()), "bien-ban.pdf")], **token),
            content_type="multipart/form-data")

    before = snapshot()
    response = post()
    assert response.status_code == 400 and REFUSED in page_text(response)
    assert snapshot() == before
    response = post(csrf_token=csrf_token(client, f"/tasks/{task.id}"))
    assert response.status_code == 302
    assert demo.session.scalars(demo.select(StoredFile).where(
        StoredFile.task_id == task.id)).one().original_name == "bien-ban.pdf"


def test_anonymous_login_needs_the_token(client, make_user, csrf_on, snapshot):
    make_user("canbo")
    response = client.post(
        "/login", data={"username": "canbo", "password": "secret-pass"}
    )
    assert response.status_code == 400
    assert REFUSED in page_text(response)
    assert client.get("/quarters/").status_code == 302
    token = csrf_token(client, "/login")
    response = client.post(
        "/login",
        data={"username": "canbo", "password": "secret-pass", "csrf_token": token},
    )
    assert response.status_code == 302
    assert client.get("/quarters/").status_code == 200


def test_csrf_page_is_in_english_when_asked(client, make_user, csrf_on):
    client.get("/login?lang=en")
    response = client.post("/login", data={"username": "x", "password": "y"})
    assert response.status_code == 400
    assert "This form has expired or did not come from this site" in page_text(response)
    assert "The CSRF token is missing." in page_text(response)


class TestLogout:
    """Signing out is a POST with a token; a GET only asks."""

    def test_get_asks_and_does_not_sign_out(self, client, login_as):
        login_as("leader")
        response = client.get("/logout")
        assert response.status_code == 200
        text = page_text(response)
        assert 'method="post"' in text and "Đăng xuất" in text
        assert client.get("/quarters/").status_code == 200

    def test_forged_post_does_not_sign_out(self, client, sign_in):
        sign_in("staff")
        assert client.post("/logout").status_code == 400
        assert client.get("/quarters/").status_code == 200

    def test_post_with_token_signs_out(self, client, sign_in):
        sign_in("staff")
        token = csrf_token(client, "/logout")
        response = client.post("/logout", data={"csrf_token": token})
        assert response.status_code == 302
        assert response.headers["Location"] == "/login"
        assert client.get("/quarters/").status_code == 302


def test_a_board_served_from_the_cache_carries_a_valid_token(client, sign_in, demo):
    from tracker.extensions import cache

    cache.clear()
    sign_in("admin")
    pages = [page_text(client.get("/quarters/2023-Q2/")) for _ in range(3)]
    assert pages[1] == pages[2]  # the third came from the page cache
    token = CSRF_FIELD.search(pages[2]).group(1)
    response = client.post("/quarters/2023-Q2/state",
                           data={"csrf_token": token, "state": "planning"})
    assert response.status_code == 302
    assert "Đang lập kế hoạch" in page_text(client.get("/quarters/2023-Q2/"))

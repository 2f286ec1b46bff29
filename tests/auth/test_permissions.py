"""Every route × every role: the status the server answers and what the database keeps.

TABLE holds one row per URL rule and method of the application. A rule without a row
fails test_every_route_has_a_row, so a new page cannot arrive without deciding who may
use it. A row reads:

    row(endpoint, method, path, "anon viewer lead other leader admin", changes, **form)

- the six statuses are for: anonymous, viewer, staff of the task's lead unit, staff of
  another unit, leader, administrator (see ROLES and the `world` fixture);
- changes is what the request changes in the database when it is allowed (a status
  below 400, anonymous visitors aside): "table+N" rows added, "table-N" removed,
  "table~N" changed, space separated and sorted. Refused requests change nothing.
  by_role={role: changes} says what differs for one role (the notices a change
  sends go to everyone concerned but the person who made it).
- path and form values may name things of the world in braces: {task}, {open}, {A}…
"""
import datetime as dt
import json
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from tests.helpers import page_text
from tracker.auth import policy
from tracker.extensions import db as _db
from tracker.models import (
    Board, BoardMember, FailedSignIn, Notification, Quarter, SavedSearch, SignInSession,
    Task, Unit, User,
)
from tracker.models.revision import UNTRACKED_TABLES

ROLES = ("anonymous", "viewer", "staff_lead", "staff_other", "leader", "admin")
PASSWORD = "secret-pass"
# One cheap hash for the world's accounts: the table signs in several hundred times.
CHEAP_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


@dataclass
class Row:
    """Who may use one route, and what it changes."""

    endpoint: str
    method: str
    path: str
    statuses: tuple
    changes: str = ""
    data: dict = field(default_factory=dict)
    anonymous_changes: str = None  # when an anonymous visitor changes other things
    by_role: dict = None  # role: changes, where one role's request changes other things

    @property
    def key(self):
        """Return "endpoint METHOD", the row's key."""
        return f"{self.endpoint} {self.method}"


def row(endpoint, method, path, statuses, changes="", anonymous_changes=None,
        by_role=None, **data):
    """Return a Row; statuses is six numbers in ROLES order."""
    codes = tuple(int(code) for code in statuses.split())
    assert len(codes) == len(ROLES), endpoint
    return Row(endpoint, method, path, codes, changes, data, anonymous_changes,
               by_role)


TASK_FORM = dict(kind="other", title="Kế hoạch đã sửa", lead_unit_id="{A}",
                 coordinating="{C}", participating="{P}", version="{version}")
# Closing or reopening a quarter tells the board's five other active accounts.
CLOSE_Q2 = ("audit_event+2 notification+5 quarter+1 quarter~1 task+1 task~1 "
            "task_unit+2 task_update+2")

ROWS = [
    # endpoint, method, path,                  anon viewer lead other leader admin
    row("index", "GET", "/",                            "302 302 302 302 302 302"),
    row("healthz", "GET", "/healthz",                   "200 200 200 200 200 200"),
    row("me.index", "GET", "/me",                       "302 200 200 200 200 200"),
    row("static", "GET", "/static/css/app.css",         "200 200 200 200 200 200"),
    row("bootstrap.static", "GET", "/bootstrap/static/css/bootstrap.min.css",
        "200 200 200 200 200 200"),
    row("auth.login", "GET", "/login",                  "200 302 302 302 302 302"),
    # Signing in opens a session (those signed in already are sent on, unchanged).
    row("auth.login", "POST", "/login",                 "302 302 302 302 302 302",
        anonymous_changes="sign_in_session+1", username="viewer", password=PASSWORD),
    row("auth.logout", "GET", "/logout",                "302 200 200 200 200 200"),
    row("auth.logout", "POST", "/logout",               "302 302 302 302 302 302",
        "sign_in_session~1"),
    row("auth.account", "GET", "/account/",             "302 200 200 200 200 200"),
    # Another person's session is not found, whoever asks.
    row("auth.end_session", "POST", "/account/sessions/{session}/end",
        "302 404 404 404 404 404"),
    # API tokens: made by anyone signed in (shown once); another's is not found.
    row("auth.create_token", "POST", "/account/tokens", "302 200 200 200 200 200",
        "api_token+1 audit_event+1", name="Bảng tính của tỉnh", scope="read"),
    row("auth.revoke_token", "POST", "/account/tokens/{token}/revoke",
        "302 404 404 404 404 404"),
    # The calendar feed: its address's token signs in, whoever holds it; one's
    # calendar address is made and revoked on the account page.
    row("me.calendar_feed", "GET", "/me/calendar.ics?token={calendar}",
        "200 200 200 200 200 200"),
    row("auth.create_calendar_token", "POST", "/account/calendar",
        "302 200 200 200 200 200", "audit_event+1 calendar_token+1"),
    row("auth.revoke_calendar_token", "POST", "/account/calendar/revoke",
        "302 302 302 302 302 302"),
    row("auth.change_password", "GET", "/account/password",
        "302 200 200 200 200 200"),
    row("auth.change_password", "POST", "/account/password",
        "302 302 302 302 302 302", "audit_event+1 sign_in_session~1 user~1",
        current_password=PASSWORD, new_password="mat-khau-moi-dai",
        confirm="mat-khau-moi-dai"),
    # quarters
    row("quarters.index", "GET", "/quarters/",          "302 200 200 200 200 200"),
    # A POST-only form's address answers GET by going back to the page holding it, so
    # a refused form shown there can be reloaded (no 405).
    row("quarters.create", "GET", "/quarters/new",      "302 302 302 302 302 302"),
    row("quarters.create", "POST", "/quarters/new",     "302 403 403 403 302 302",
        "audit_event+1 quarter+1", year="2024", number="1"),
    row("quarters.board", "GET", "/quarters/{open}/",   "302 200 200 200 200 200"),
    row("quarters.change_state", "POST", "/quarters/{open}/state",
        "302 403 403 403 302 302", "audit_event+1 quarter~1", state="planning"),
    row("quarters.close", "GET", "/quarters/{open}/close", "302 403 403 403 200 200"),
    row("quarters.close", "POST", "/quarters/{open}/close", "302 403 403 403 302 302",
        CLOSE_Q2, carry_all="1"),
    row("quarters.rollover", "GET", "/quarters/{closed}/rollover",
        "302 200 200 200 200 200"),
    row("quarters.summary", "GET", "/quarters/{closed}/summary",
        "302 200 200 200 200 200"),
    row("quarters.approve", "POST", "/quarters/{closed}/approve",
        "302 403 403 403 302 302", "audit_event+1 quarter~1"),
    row("figures.figures_json", "GET", "/quarters/{open}/figures.json?as_of=2023-06-30",
        "302 200 200 200 200 200"),
    row("quarters.reopen", "POST", "/quarters/{closed}/reopen",
        "302 403 403 403 403 302", "audit_event+1 notification+5 quarter~1 task~1",
        reason="Bổ sung kết quả"),
    # tasks
    row("tasks.create", "GET", "/tasks/new?quarter={open}", "302 403 200 200 200 200"),
    row("tasks.create", "POST", "/tasks/new?quarter={open}", "302 403 302 302 302 302",
        "notification+2 task+1 task_update+1", kind="other", title="Việc mới",
        lead_unit_id="{B}",
        # B's two accounts are told, but not the one of them who gave it.
        by_role={"staff_other": "notification+1 task+1 task_update+1"}),
    row("tasks.show", "GET", "/tasks/{task}",           "302 200 200 200 200 200"),
    row("tasks.edit", "GET", "/tasks/{task}/edit",      "302 403 200 403 200 200"),
    row("tasks.edit", "POST", "/tasks/{task}/edit",     "302 403 302 403 302 302",
        "task~1 task_update+1", **TASK_FORM),
    row("tasks.report", "GET", "/tasks/{task}/status",  "302 302 302 302 302 302"),
    # A report tells the lead unit's staff, unless they made it.
    row("tasks.report", "POST", "/tasks/{task}/status", "302 403 302 403 302 302",
        "notification+1 task~1 task_update+1", status="in_progress", progress="50",
        by_role={"staff_lead": "task~1 task_update+1"}),
    row("tasks.report_share", "GET", "/tasks/{task}/share", "302 302 302 302 302 302"),
    row("tasks.report_share", "POST", "/tasks/{task}/share", "302 403 302 403 302 302",
        "notification+1 task~1 task_unit~1 task_update+1", unit_id="{P}",
        share_status="done",
        by_role={"staff_lead": "task~1 task_unit~1 task_update+1"}),
    row("tasks.direct", "GET", "/tasks/{task}/direction", "302 302 302 302 302 302"),
    row("tasks.direct", "POST", "/tasks/{task}/direction", "302 403 403 403 302 302",
        "task_update+1", direction="Đẩy nhanh tiến độ, báo cáo trước 30/6"),
    row("tasks.archive", "POST", "/tasks/{task}/archive", "302 403 302 403 302 302",
        "task~1 task_update+1", reason="Trùng nhiệm vụ khác"),
    row("tasks.restore", "POST", "/tasks/{archived}/restore",
        "302 403 302 403 302 302", "task~1 task_update+1"),
    # comments: whoever sees a task discusses it; only the author corrects, for 15
    # minutes. The mention tells "target".
    row("comments.create", "GET", "/tasks/{task}/comments", "302 302 302 302 302 302"),
    row("comments.create", "POST", "/tasks/{task}/comments", "302 302 302 302 302 302",
        "comment+1 notification+1", body="Nhờ @target xem **giúp**"),
    row("comments.edit", "GET", "/comments/{comment}/edit", "302 403 200 403 403 403"),
    row("comments.edit", "POST", "/comments/{comment}/edit", "302 403 302 403 403 403",
        "comment~1 comment_revision+1", body="Đã sửa lại"),
    # follow-up: the lead unit acknowledges its task (leaders and admins have no unit
    # here); anyone watches; the lead asks for a later deadline (one waits already,
    # so a second is refused as bad input) and leaders decide it.
    row("followup.acknowledge", "POST", "/tasks/{task}/acknowledge",
        "302 403 302 403 403 403", "task~1 task_update+1", unit_id="{A}"),
    row("followup.watch_task", "POST", "/tasks/{task}/watch",
        "302 302 302 302 302 302", "watch+1", watch="1"),
    row("followup.watch_quarter", "POST", "/quarters/{open}/watch",
        "302 302 302 302 302 302", "watch+1", watch="1"),
    row("followup.request_extension", "POST", "/tasks/{task}/extension",
        "302 403 400 403 400 400", proposed_on="31/07/2023", reason="Chờ bố trí"),
    row("followup.decide_extension", "POST", "/tasks/{task}/extension/{extension}",
        "302 403 403 403 302 302",
        "deadline_extension~1 notification+1 task~1 task_update+1",
        decision="approve", note="Đồng ý"),
    # evidence files: the units on the task (and leaders, and viewers tied to no
    # unit) download them; the units answerable for the task remove them
    row("files.download", "GET", "/files/{file}",       "302 200 200 403 200 200"),
    row("files.remove", "GET", "/files/{file}/remove",  "302 302 302 302 302 302"),
    row("files.remove", "POST", "/files/{file}/remove", "302 403 302 403 302 302",
        "stored_file~1 task_update+1"),
    # petitions raised at dialogues: the task's units record and forward them, the
    # body that must answer (unit B) records the answer, leaders do everything
    row("petitions.index", "GET", "/petitions/",         "302 200 200 200 200 200"),
    row("petitions.create", "GET", "/petitions/new?task={task}",
        "302 403 200 403 200 200"),
    row("petitions.create", "POST", "/petitions/new?task={task}",
        "302 403 302 403 302 302", "petition+1 petition_update+1",
        content="Đề nghị sửa đường liên thôn", field="infrastructure",
        answering_unit_id="{B}", due_on="2023-06-30"),
    row("petitions.show", "GET", "/petitions/{petition}", "302 200 200 200 200 200"),
    row("petitions.edit", "GET", "/petitions/{petition}/edit",
        "302 403 200 403 200 200"),
    row("petitions.edit", "POST", "/petitions/{petition}/edit",
        "302 403 302 403 302 302", "petition~1 petition_update+1",
        content="Đề nghị cấp giấy chứng nhận (đã sửa)", field="land",
        answering_unit_id="{B}"),
    row("petitions.forward", "GET", "/petitions/{petition}/forward",
        "302 302 302 302 302 302"),
    row("petitions.forward", "POST", "/petitions/{petition}/forward",
        "302 403 302 403 302 302", "petition~1 petition_update+1",
        forwarded_on="2023-05-10", note="Công văn số 12"),
    row("petitions.answer", "GET", "/petitions/{petition}/answer",
        "302 302 302 302 302 302"),
    row("petitions.answer", "POST", "/petitions/{petition}/answer",
        "302 403 403 302 302 302", "petition~1 petition_update+1",
        answer="Đã cấp giấy chứng nhận", answered_on="2023-05-12"),
    row("petitions.close", "GET", "/petitions/{petition}/close",
        "302 302 302 302 302 302"),
    row("petitions.close", "POST", "/petitions/{petition}/close",
        "302 403 302 403 302 302", "petition~1 petition_update+1",
        reason="Trùng với ý kiến đã trả lời", closed_on="2023-05-12"),
    # the "Dân vận khéo" registry: staff record their own units' models (unit A's
    # here); unit B's staff may register only for B, leaders everything
    row("initiatives.index", "GET", "/initiatives/", "302 200 200 200 200 200"),
    row("initiatives.create", "GET", "/initiatives/new", "302 403 200 200 200 200"),
    row("initiatives.create", "POST", "/initiatives/new",
        "302 403 302 400 302 302", "initiative+1 initiative_update+1",
        name="Tổ tự quản an ninh trật tự", field="defence_security", unit_id="{A}",
        commune="Tịnh Hiệp", year="2023", registered_on="2023-05-02"),
    row("initiatives.show", "GET", "/initiatives/{initiative}",
        "302 200 200 200 200 200"),
    row("initiatives.edit", "GET", "/initiatives/{initiative}/edit",
        "302 403 200 403 200 200"),
    row("initiatives.edit", "POST", "/initiatives/{initiative}/edit",
        "302 403 302 403 302 302", "initiative~1 initiative_update+1",
        name="Hiến đất mở đường (đã sửa)", field="economy", unit_id="{A}",
        year="2023", registered_on="2023-04-10"),
    row("initiatives.step", "GET", "/initiatives/{initiative}/step",
        "302 302 302 302 302 302"),
    row("initiatives.step", "POST", "/initiatives/{initiative}/step",
        "302 403 302 403 302 302", "initiative~1 initiative_update+1",
        state="building", on="2023-05-10"),
    # notifications: each person's own; another's is not found
    row("notifications.index", "GET", "/notifications/", "302 200 200 200 200 200"),
    row("notifications.read", "POST", "/notifications/{notice}/read",
        "302 404 404 404 404 404"),
    row("notifications.preferences", "POST", "/notifications/preferences",
        "302 302 302 302 302 302", "mail_preference+1", email="ban@example.vn",
        frequency="daily"),
    # Everyone but the leader who closed Q1 was told of it; the leaders, of the
    # request for a later deadline too.
    row("notifications.read_all", "POST", "/notifications/read-all",
        "302 302 302 302 302 302", "notification~1",
        by_role={"leader": "notification~1", "admin": "notification~2"}),
    # search: anyone signed in searches and keeps searches; each keeps their own
    row("search.index", "GET", "/search?q=viec&from={closed}&unit={A}",
        "302 200 200 200 200 200"),
    row("search.save", "POST", "/search/saved", "302 302 302 302 302 302",
        "saved_search+1", name="Việc của đơn vị A", query="q=viec&unit={A}"),
    row("search.rename", "POST", "/search/saved/{saved}/rename",
        "302 404 404 404 404 404", name="Tên khác"),
    row("search.delete", "POST", "/search/saved/{saved}/delete",
        "302 404 404 404 404 404"),
    # reports, exports and plan import
    row("reports.settings", "GET", "/quarters/{closed}/report",
        "302 200 200 200 200 200"),
    row("reports.settings", "POST", "/quarters/{closed}/report",
        "302 403 302 302 302 302", "audit_event+1 quarter_report+1",
        number="16-BC/BDVHU", signer_name="Nguyễn Văn A", signer_title="head"),
    # The briefing meeting: who may change the report settings records it, not once
    # the quarter is closed.
    row("reports.briefing_meeting", "GET", "/quarters/{open}/briefing",
        "302 200 200 200 200 200"),
    row("reports.briefing_meeting", "POST", "/quarters/{open}/briefing",
        "302 403 302 302 302 302",
        "audit_event+1 briefing_meeting+1 briefing_proposal+1 quarter~1",
        briefing_on="30/06/2023", place="Hội trường", chair_name="Nguyễn Văn A",
        chair_title="Trưởng Ban", attendees="",
        **{"proposals-0-addressee": "Thường trực Huyện ủy",
           "proposals-0-text": "Đề nghị quan tâm chỉ đạo."}),
    row("reports.report_docx", "GET", "/quarters/{closed}/report.docx",
        "302 200 200 200 200 200"),
    row("reports.report_xlsx", "GET", "/quarters/{closed}/report.xlsx",
        "302 200 200 200 200 200"),
    row("reports.tasks_csv", "GET", "/quarters/{open}/tasks.csv",
        "302 200 200 200 200 200"),
    row("reports.print_view", "GET", "/quarters/{closed}/print",
        "302 200 200 200 200 200"),
    row("reports.import_template", "GET", "/quarters/import-template.xlsx",
        "302 200 200 200 200 200"),
    row("reports.organisation", "GET", "/reports/organisation",
        "302 403 403 403 200 200"),
    row("reports.organisation", "POST", "/reports/organisation",
        "302 403 403 403 302 302", "audit_event+1 organisation+1",
        superior_body="HUYỆN ỦY SƠN TỊNH", issuing_body="BAN DÂN VẬN",
        issuer_code="BDVHU", place="Sơn Tịnh", unit_id="{A}"),
    # The upload itself is exercised in tests/reports; here, who may reach it.
    row("reports.import_plan", "GET", "/quarters/{open}/import",
        "302 403 200 200 200 200"),
    row("reports.import_plan", "POST", "/quarters/{open}/import",
        "302 403 400 400 400 400"),
    row("reports.confirm_import", "GET", "/quarters/{open}/import/confirm",
        "302 403 302 302 302 302"),
    row("reports.confirm_import", "POST", "/quarters/{open}/import/confirm",
        "302 403 302 302 302 302", token="unknown"),
    # The next quarter planned from a closed one's tasks: the import's rule on it.
    row("reports.plan_next", "GET", "/quarters/{closed}/plan-next",
        "302 403 200 200 200 200"),
    row("reports.plan_next", "POST", "/quarters/{closed}/plan-next",
        "302 403 200 200 200 200", task="{q1_task}"),
    row("reports.confirm_plan_next", "GET", "/quarters/{closed}/plan-next/confirm",
        "302 403 302 302 302 302"),
    row("reports.confirm_plan_next", "POST", "/quarters/{closed}/plan-next/confirm",
        "302 403 302 302 302 302",
        "audit_event+1 notification+1 task+1 task_unit+2 task_update+1",
        by_role={"staff_lead": "audit_event+1 task+1 task_unit+2 task_update+1"},
        task="{q1_task}"),
    row("reports.import_outside_unit", "POST", "/quarters/{open}/import/outside-unit",
        "302 403 302 302 302 302", token="unknown", name="Văn phòng Huyện ủy"),
    # congresses by term: everyone reads the calendar, leaders set the terms
    row("congresses.index", "GET", "/congresses/",      "302 200 200 200 200 200"),
    row("congresses.show", "GET", "/congresses/{term}", "302 200 200 200 200 200"),
    row("congresses.create", "GET", "/congresses/new",  "302 403 403 403 200 200"),
    row("congresses.create", "POST", "/congresses/new", "302 403 403 403 302 302",
        "congress_term+1 congress_term_change+1",
        organisation="Hội Nông dân xã Tịnh Ấn", level="commune", unit_id="{A}",
        ordinal="9", term_start="2023", term_end="2028", last_held_on="2023-03-10"),
    row("congresses.edit", "GET", "/congresses/{term}/edit",
        "302 403 403 403 200 200"),
    row("congresses.edit", "POST", "/congresses/{term}/edit",
        "302 403 403 403 302 302", "congress_term_change+1 congress_term~1",
        organisation="Hội Nông dân huyện", level="district", unit_id="{A}",
        ordinal="12", term_start="2018", term_end="2023", last_held_on="2018-06-20"),
    # units
    row("units.index", "GET", "/units/",                "302 200 200 200 200 200"),
    row("units.show", "GET", "/units/{A}",              "302 200 200 200 200 200"),
    # administration
    row("admin.index", "GET", "/admin/",                "302 403 403 403 403 302"),
    row("admin.users", "GET", "/admin/users/",          "302 403 403 403 403 200"),
    row("admin.new_user", "GET", "/admin/users/new",    "302 403 403 403 403 200"),
    row("admin.new_user", "POST", "/admin/users/new",   "302 403 403 403 403 302",
        "audit_event+1 user+1 user_unit+1", username="moi", full_name="Người mới",
        role="staff", units="{B}", password="mat-khau-dai", confirm="mat-khau-dai"),
    row("admin.edit_user", "GET", "/admin/users/{target}", "302 403 403 403 403 200"),
    row("admin.edit_user", "POST", "/admin/users/{target}", "302 403 403 403 403 302",
        "audit_event+1 user_unit+1 user_unit-1 user~1", full_name="Đổi tên",
        role="leader", units="{A}"),
    row("admin.reset_password", "GET", "/admin/users/{target}/password",
        "302 403 403 403 403 302"),
    row("admin.reset_password", "POST", "/admin/users/{target}/password",
        "302 403 403 403 403 302", "audit_event+1 sign_in_session~1 user~1",
        password="mat-khau-moi", confirm="mat-khau-moi"),
    row("admin.deactivate_user", "GET", "/admin/users/{target}/deactivate",
        "302 403 403 403 403 302"),
    row("admin.deactivate_user", "POST", "/admin/users/{target}/deactivate",
        "302 403 403 403 403 302", "audit_event+1 sign_in_session~1 user~1"),
    row("admin.reactivate_user", "GET", "/admin/users/{retired}/reactivate",
        "302 403 403 403 403 302"),
    row("admin.reactivate_user", "POST", "/admin/users/{retired}/reactivate",
        "302 403 403 403 403 302", "audit_event+1 user~1"),
    row("admin.units", "GET", "/admin/units/",          "302 403 403 403 403 200"),
    row("admin.new_unit", "GET", "/admin/units/new",    "302 403 403 403 403 200"),
    row("admin.new_unit", "POST", "/admin/units/new",   "302 403 403 403 403 302",
        "audit_event+1 unit+1", name="Đảng ủy xã Tịnh Ấn", short_name="ĐU Tịnh Ấn",
        kind="commune_party_committee", parent_id="0", sort_order="5"),
    row("admin.edit_unit", "GET", "/admin/units/{B}",   "302 403 403 403 403 200"),
    row("admin.edit_unit", "POST", "/admin/units/{B}",  "302 403 403 403 403 302",
        "audit_event+1 unit~1", name="Đơn vị B (đổi tên)", short_name="B",
        kind="mass_org", parent_id="{A}", sort_order="2"),
    row("admin.deactivate_unit", "POST", "/admin/units/{B}/deactivate",
        "302 403 403 403 403 302", "audit_event+1 unit~1"),
    row("admin.reactivate_unit", "POST", "/admin/units/{Z}/reactivate",
        "302 403 403 403 403 302", "audit_event+1 unit~1"),
    row("admin.groups", "GET", "/admin/groups/",        "302 403 403 403 403 200"),
    row("admin.new_group", "GET", "/admin/groups/new",  "302 403 403 403 403 200"),
    row("admin.new_group", "POST", "/admin/groups/new", "302 403 403 403 403 302",
        "audit_event+2 unit+1 unit_group_member+1", name="Khối mới",
        short_name="KM", sort_order="5", members="{B}"),
    row("admin.edit_group", "GET", "/admin/groups/{G}", "302 403 403 403 403 200"),
    row("admin.edit_group", "POST", "/admin/groups/{G}", "302 403 403 403 403 302",
        "audit_event+2 unit_group_member+1 unit_group_member-2 unit~1",
        name="Khối G (đổi tên)", short_name="G", sort_order="9", members="{A}"),
    # boards: every account lists what it may open; installation administrators
    # (the world's admin) manage them
    row("boards.index", "GET", "/boards/",              "302 200 200 200 200 200"),
    row("boards.admin_list", "GET", "/admin/boards/",   "302 403 403 403 403 200"),
    row("boards.new", "GET", "/admin/boards/new",       "302 403 403 403 403 200"),
    row("boards.new", "POST", "/admin/boards/new",      "302 403 403 403 403 302",
        "audit_event+1 board+1 organisation+1", name="Ban Dân vận xã Tịnh Ấn",
        code="tinh-an", level="commune", parent_id="{board}", sort_order="3"),
    row("boards.edit", "GET", "/admin/boards/{other_board}", "302 403 403 403 403 200"),
    row("boards.edit", "POST", "/admin/boards/{other_board}",
        "302 403 403 403 403 302", "audit_event+1 board~1", name="Ban khác (đổi tên)",
        code="khac", level="district", parent_id="{board}", sort_order="1"),
    row("boards.merge", "POST", "/admin/boards/{other_board}/merge",
        "302 403 403 403 403 302", "audit_event+2 board~1", into="{board}",
        from_key="2024-Q1"),
    row("boards.add_member", "POST", "/admin/boards/{other_board}/members",
        "302 403 403 403 403 302", "audit_event+1 board_member+1",
        username="leader", role="leader"),
    row("boards.remove_member", "POST",
        "/admin/boards/{other_board}/members/{member}/remove",
        "302 403 403 403 403 302", "audit_event+1 board_member-1"),
    # The API: a session cookie signs nobody in there (tests/api has the table of
    # its routes by token); its document and docs page are public.
    row("api.user_self", "GET", "/api/v1/users/self",  "401 401 401 401 401 401"),
    row("api.quarter_list", "GET", "/api/v1/quarters", "401 401 401 401 401 401"),
    row("api.quarter", "GET", "/api/v1/quarters/{open}", "401 401 401 401 401 401"),
    row("api.quarter_figures", "GET", "/api/v1/quarters/{open}/figures",
        "401 401 401 401 401 401"),
    row("api.quarter_tasks", "GET", "/api/v1/quarters/{open}/tasks",
        "401 401 401 401 401 401"),
    row("api.task", "GET", "/api/v1/tasks/{task}",     "401 401 401 401 401 401"),
    row("api.task_history", "GET", "/api/v1/tasks/{task}/history",
        "401 401 401 401 401 401"),
    row("api.task_progress", "POST", "/api/v1/tasks/{task}/progress",
        "401 401 401 401 401 401", status="in_progress", progress="50"),
    row("api.task_create", "POST", "/api/v1/quarters/{open}/tasks",
        "401 401 401 401 401 401", kind="other", title="Việc mới"),
    row("api.task_update", "PATCH", "/api/v1/tasks/{task}", "401 401 401 401 401 401",
        title="Sửa"),
    row("api.task_share", "POST", "/api/v1/tasks/{task}/shares/{P}",
        "401 401 401 401 401 401", status="done"),
    row("api.quarter_close_plan", "GET", "/api/v1/quarters/{open}/close",
        "401 401 401 401 401 401"),
    row("api.quarter_close", "POST", "/api/v1/quarters/{open}/close",
        "401 401 401 401 401 401", carry_all="1"),
    row("api.quarter_approve", "POST", "/api/v1/quarters/{closed}/approve",
        "401 401 401 401 401 401"),
    row("api.petition_list", "GET", "/api/v1/petitions", "401 401 401 401 401 401"),
    row("api.petition", "GET", "/api/v1/petitions/{petition}",
        "401 401 401 401 401 401"),
    row("api.petition_create", "POST", "/api/v1/tasks/{task}/petitions",
        "401 401 401 401 401 401", content="Ý kiến"),
    row("api.petition_forward", "POST", "/api/v1/petitions/{petition}/forward",
        "401 401 401 401 401 401", forwarded_on="2023-05-10"),
    row("api.petition_answer", "POST", "/api/v1/petitions/{petition}/answer",
        "401 401 401 401 401 401", answer="Đã trả lời", answered_on="2023-05-12"),
    row("api.petition_close", "POST", "/api/v1/petitions/{petition}/close",
        "401 401 401 401 401 401", reason="Trùng", closed_on="2023-05-12"),
    row("api.notification_list", "GET", "/api/v1/notifications",
        "401 401 401 401 401 401"),
    row("api.notification", "GET", "/api/v1/notifications/{notice}",
        "401 401 401 401 401 401"),
    row("api.notification_read", "POST", "/api/v1/notifications/{notice}/read",
        "401 401 401 401 401 401"),
    row("api.unit_list", "GET", "/api/v1/units",       "401 401 401 401 401 401"),
    row("api.group_list", "GET", "/api/v1/groups",     "401 401 401 401 401 401"),
    row("api.briefing_meeting", "GET", "/api/v1/quarters/{open}/briefing",
        "401 401 401 401 401 401"),
    row("api.briefing_update", "PUT", "/api/v1/quarters/{open}/briefing",
        "401 401 401 401 401 401", briefing_on="2023-06-30", place="Hội trường"),
    row("api.unit", "GET", "/api/v1/units/{A}",        "401 401 401 401 401 401"),
    row("api.unit_scorecard", "GET", "/api/v1/units/{A}/scorecard",
        "401 401 401 401 401 401"),
    row("api.comment_list", "GET", "/api/v1/tasks/{task}/comments",
        "401 401 401 401 401 401"),
    row("api.comment_create", "POST", "/api/v1/tasks/{task}/comments",
        "401 401 401 401 401 401", body="Nhờ xem giúp"),
    row("api.comment", "GET", "/api/v1/comments/{comment}",
        "401 401 401 401 401 401"),
    row("api.comment_edit", "PATCH", "/api/v1/comments/{comment}",
        "401 401 401 401 401 401", body="Đã sửa lại"),
    row("api.initiative_list", "GET", "/api/v1/initiatives",
        "401 401 401 401 401 401"),
    row("api.initiative", "GET", "/api/v1/initiatives/{initiative}",
        "401 401 401 401 401 401"),
    row("api.initiative_create", "POST", "/api/v1/initiatives",
        "401 401 401 401 401 401", name="Mô hình", field="economy", unit_id="{A}",
        year="2023", registered_on="2023-05-02"),
    row("api.initiative_update", "PATCH", "/api/v1/initiatives/{initiative}",
        "401 401 401 401 401 401", name="Sửa"),
    row("api.initiative_step", "POST", "/api/v1/initiatives/{initiative}/step",
        "401 401 401 401 401 401", state="building", on="2023-05-10"),
    row("api.congress_list", "GET", "/api/v1/congresses", "401 401 401 401 401 401"),
    row("api.congress_term", "GET", "/api/v1/congresses/{term}",
        "401 401 401 401 401 401"),
    row("api.openapi_json", "GET", "/api/v1/openapi.json", "200 200 200 200 200 200"),
    row("api.docs", "GET", "/api/docs",                "200 200 200 200 200 200"),
    row("api.docs_asset", "GET", "/api/docs/assets/swagger-ui.css",
        "200 200 200 200 200 200"),
    row("admin.audit_log", "GET", "/admin/audit",       "302 403 403 403 403 200"),
    row("admin.audit_csv", "GET", "/admin/audit.csv",   "302 403 403 403 403 200"),
    row("admin.sign_ins", "GET", "/admin/sign-ins",     "302 403 403 403 403 200"),
    row("admin.lift_sign_in_limit", "POST", "/admin/sign-ins/lift",
        "302 403 403 403 403 302", "failed_sign_in~1", username="target"),
]
TABLE = {item.key: item for item in ROWS}
assert len(TABLE) == len(ROWS), "two rows for the same route and method"


@dataclass
class World:
    """The fixed cast every row runs against."""

    ids: dict
    users: dict


@pytest.fixture
def world(db):
    """Create units, one account per role, a closed Q1 and an open Q2 with tasks."""
    from tracker.quarters.rollover import close_quarter
    from tracker.petitions.services import create_petition
    from tracker.tasks.services import archive_task, create_task

    units = {}
    for order, short in enumerate("ABCPZ"):
        units[short] = Unit(name=f"Đơn vị {short}", short_name=short, kind="mass_org",
                            sort_order=order, is_active=short != "Z")
    # A group of units (tracker.admin's groups pages).
    units["G"] = Unit(name="Khối G", short_name="G", kind="group", sort_order=9,
                      members=[units["B"], units["C"]])
    # A commune: what a task's scope (địa bàn) names.
    units["K"] = Unit(name="Đảng ủy xã K", short_name="K",
                      kind="commune_party_committee", sort_order=8)
    db.session.add_all(units.values())
    accounts = {
        "viewer": ("viewer", []), "staff_lead": ("staff", ["A"]),
        "staff_other": ("staff", ["B"]), "leader": ("leader", []),
        "admin": ("admin", []), "target": ("staff", ["B"]), "retired": ("staff", []),
    }
    users = {}
    for username, (role, unit_names) in accounts.items():
        users[username] = User(
            username=username, full_name=username.title(), role=role,
            password_hash=CHEAP_HASH, units=[units[name] for name in unit_names],
            is_active=username != "retired",
            is_installation_admin=username == "admin",
        )
    db.session.add_all(users.values())
    board = db.session.scalars(select(Board)).one()
    other_board = Board(code="khac", name="Ban khác", level="district")
    member = BoardMember(user=users["viewer"], board=other_board, role="staff")
    db.session.add_all([other_board, member])
    q1 = Quarter(year=2023, number=1, state="active")
    q2 = Quarter(year=2023, number=2, state="active")
    db.session.add_all([q1, q2])
    db.session.flush()

    def task(quarter, title, **extra):
        return create_task(
            quarter,
            dict(title=title, kind="other", lead_unit_id=units["A"].id, **extra),
            users["staff_lead"], coordinating=[units["C"].id],
            participating=[units["P"].id],
        )

    q1_task = task(q1, "Việc quý I đã xong", status="done", progress=100,
                   completed_on=dt.date(2023, 3, 20))
    close_quarter(q1, {}, users["leader"])
    open_task = task(q2, "Việc quý II")
    archived = task(q2, "Việc quý II đã lưu trữ")
    archive_task(archived, users["staff_lead"])
    from tests.files.samples import attach

    stored_file = attach(open_task, users["staff_lead"])
    petition = create_petition(open_task, dict(
        content="Đề nghị cấp giấy chứng nhận quyền sử dụng đất", field="land",
        answering_unit_id=units["B"].id, due_on=dt.date(2023, 5, 31),
    ), users["staff_lead"])
    from tracker.initiatives.services import create_initiative

    initiative = create_initiative(dict(
        name="Hiến đất mở đường", field="economy", unit_id=units["A"].id, year=2023,
        registered_on=dt.date(2023, 4, 10)), users["staff_lead"])
    # Someone else's sign-in session, and a failed sign-in for the target account.
    other_session = SignInSession(user=users["target"], key_hash="0" * 64)
    db.session.add_all([other_session, FailedSignIn(username="target")])
    # A request for a later deadline, waiting for a leader.
    from tracker.followup.services import request_extension

    extension = request_extension(open_task, dt.date(2023, 7, 15), "Chờ xã bố trí",
                                  users["staff_lead"])
    # Someone else's API token.
    from tracker.api.tokens import create_token

    other_token, _secret = create_token(users["target"], "script")
    # The staff of unit A's comment, and the target's calendar address.
    from tracker.comments.services import post_comment
    from tracker.me.calendar import create_token as create_calendar_token

    comment = post_comment(open_task, "Đã gửi kế hoạch", users["staff_lead"])
    _row, calendar = create_calendar_token(users["target"])
    from tracker.congresses.services import create_term

    term = create_term(dict(organisation="Hội Nông dân huyện", level="district",
                            unit_id=units["A"].id, ordinal=11, term_start=2018,
                            term_end=2023, last_held_on=dt.date(2018, 6, 20)),
                       users["leader"])
    # The target's saved search: nobody else finds it.
    saved = SavedSearch(user_id=users["target"].id, board_id=board.id,
                        name="Việc của tôi", query="q=viec")
    db.session.add(saved)
    db.session.commit()
    ids = {short: unit.id for short, unit in units.items()}
    notice = db.session.scalar(select(Notification.id).where(
        Notification.user_id == users["target"].id))
    ids.update(
        task=open_task.id, archived=archived.id, version=open_task.version,
        open=q2.key, closed=q1.key, target=users["target"].id,
        retired=users["retired"].id, session=other_session.id, board=board.id,
        other_board=other_board.id, member=member.id, token=other_token.id,
        petition=petition.id, notice=notice, comment=comment.id, calendar=calendar,
        term=term.id, extension=extension.id, file=stored_file.id,
        initiative=initiative.id, saved=saved.id, q1_task=q1_task.id,
    )
    return World(ids=ids, users=users)


def _fill(value, ids):
    if isinstance(value, str):
        return value.format(**ids)
    return value


def snapshot():
    """Return every row of every table, keyed by table and primary key."""
    tables = {}
    with _db.engine.connect() as conn:
        for table in _db.metadata.sorted_tables:
            keys = [column.name for column in table.primary_key.columns]
            rows = {}
            for item in conn.execute(select(table)).mappings():
                values = {name: item[name] for name in item.keys()}
                pk = tuple(values[name] for name in keys)
                rows[pk] = json.dumps(values, sort_keys=True, default=str)
            tables[table.name] = rows
    return tables


def changes_between(before, after):
    """Return what changed, as "table+N table-N table~N" sorted tokens.

    The data token (data_revision) must change exactly when something else does; it
    is checked here and left out of the tokens.
    """
    tokens, tracked = [], []
    token_changed = before.get("data_revision") != after.get("data_revision")
    for name in sorted(after):
        if name == "data_revision":
            continue
        old, new = before.get(name, {}), after[name]
        added = len(new.keys() - old.keys())
        removed = len(old.keys() - new.keys())
        changed = sum(1 for pk in new.keys() & old.keys() if new[pk] != old[pk])
        tokens += [f"{name}+{added}"] * bool(added)
        tokens += [f"{name}-{removed}"] * bool(removed)
        tokens += [f"{name}~{changed}"] * bool(changed)
        if name not in UNTRACKED_TABLES:
            tracked += [name] * bool(added or removed or changed)
    # Sessions and failed sign-ins are no page's data: they leave the token alone.
    assert token_changed == bool(tracked), f"token changed: {token_changed}, {tokens}"
    return " ".join(sorted(tokens))


def _sign_in(client, username):
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, page_text(response)


def _endpoint_methods(app):
    pairs = set()
    for rule in app.url_map.iter_rules():
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            pairs.add(f"{rule.endpoint} {method}")
    return pairs


def test_every_route_has_a_row(app):
    missing = sorted(_endpoint_methods(app) - set(TABLE))
    stale = sorted(set(TABLE) - _endpoint_methods(app))
    assert missing == [], "routes without a row in the permission table"
    assert stale == [], "rows for routes that no longer exist"


@pytest.mark.parametrize("key", sorted(TABLE))
def test_row_path_reaches_its_endpoint(app, key):
    item = TABLE[key]
    adapter = app.url_map.bind("localhost")
    path = urlsplit(item.path.format_map(_AnyIds())).path
    endpoint, _args = adapter.match(path, method=item.method)
    assert endpoint == item.endpoint


class _AnyIds(dict):
    def __missing__(self, key):
        return "2023-Q2" if key in ("open", "closed") else "1"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", sorted(TABLE))
def test_route_and_role(client, world, key, role):
    item = TABLE[key]
    expected = item.statuses[ROLES.index(role)]
    if role != "anonymous":
        _sign_in(client, world.users[role].username)
    data = {name: _fill(value, world.ids) for name, value in item.data.items()}
    path = item.path.format(**world.ids)
    before = snapshot()
    response = client.open(path, method=item.method, data=data or None)
    after = snapshot()
    assert response.status_code == expected, page_text(response)[:2000]
    sent_to_login = (
        response.status_code == 302
        and response.headers["Location"].startswith("/login")
    )
    if role == "anonymous" and item.endpoint not in ("auth.login", "healthz",
                                                     "me.calendar_feed"):
        # Anonymous visitors reach only the sign-in page, the health check (for load
        # balancers; it touches no data), static files and the calendar feed (its
        # token is its sign-in: tests/me/test_calendar.py).
        # The API answers 401 instead (its document and docs page are public).
        assert sent_to_login or item.endpoint.endswith("static") or \
            item.endpoint.startswith("api.")
    allowed = expected < 400 and not (role == "anonymous" and sent_to_login)
    changes = item.changes
    if role == "anonymous" and item.anonymous_changes is not None:
        changes = item.anonymous_changes
    if item.by_role and role in item.by_role:
        changes = item.by_role[role]
    assert changes_between(before, after) == (_sorted(changes) if allowed else "")


def _sorted(changes):
    return " ".join(sorted(changes.split()))


# The pages offer only what the server allows.

PAGE_ACTIONS = {
    # role: (edit link, progress form, direction form, archive form)
    "viewer": (False, False, False, False),
    "staff_lead": (True, True, False, True),
    "staff_other": (False, False, False, False),
    "leader": (True, True, True, True),
    "admin": (True, True, True, True),
}


@pytest.mark.parametrize("role", sorted(PAGE_ACTIONS))
def test_task_page_shows_only_permitted_actions(client, world, role):
    _sign_in(client, world.users[role].username)
    text = page_text(client.get(f"/tasks/{world.ids['task']}"))
    edit, report, direct, archive = PAGE_ACTIONS[role]
    task_id = world.ids["task"]
    assert (f'href="/tasks/{task_id}/edit"' in text) == edit
    assert (f'action="/tasks/{task_id}/status' in text) == report
    assert (f'action="/tasks/{task_id}/direction"' in text) == direct
    assert (f'action="/tasks/{task_id}/archive"' in text) == archive
    # Leaders and the lead unit's staff may record the participating unit's share.
    assert (f'action="/tasks/{task_id}/share' in text) == (
        role in ("leader", "admin", "staff_lead"))


@pytest.mark.parametrize("role", sorted(PAGE_ACTIONS))
def test_board_and_menus_show_only_permitted_actions(client, world, role):
    _sign_in(client, world.users[role].username)
    board = page_text(client.get("/quarters/2023-Q2/"))
    assert ('href="/tasks/new?quarter=2023-Q2"' in board) == (role != "viewer")
    leads = role in ("leader", "admin")
    assert ('action="/quarters/2023-Q2/state"' in board) == leads
    assert ('href="/quarters/2023-Q2/close"' in board) == leads
    assert ('id="nav-admin"' in board) == (role == "admin")
    summary = page_text(client.get("/quarters/2023-Q1/summary"))
    assert ('action="/quarters/2023-Q1/approve"' in summary) == (
        role in ("leader", "admin"))
    assert ('action="/quarters/2023-Q1/reopen"' in summary) == (role == "admin")


def test_staff_of_a_participating_unit_reports_only_its_share(client, world, db):
    p_staff = User(username="p_staff", role="staff", password_hash=CHEAP_HASH,
                   units=[db.session.get(Unit, world.ids["P"])])
    db.session.add(p_staff)
    db.session.commit()
    _sign_in(client, "p_staff")
    task_id = world.ids["task"]
    text = page_text(client.get(f"/tasks/{task_id}"))
    assert f'action="/tasks/{task_id}/share' in text
    assert f'action="/tasks/{task_id}/status' not in text
    assert f'href="/tasks/{task_id}/edit"' not in text
    before = snapshot()
    assert client.post(f"/tasks/{task_id}/status",
                       data={"status": "done"}).status_code == 403
    assert client.get(f"/tasks/{task_id}/edit").status_code == 403
    assert changes_between(before, snapshot()) == ""
    share = {"unit_id": str(world.ids["P"]), "share_status": "done"}
    assert client.post(f"/tasks/{task_id}/share", data=share).status_code == 302
    assert changes_between(before, snapshot()) == _sorted(
        "notification+1 task~1 task_unit~1 task_update+1")


def test_coordinating_staff_record_shares_but_others_do_not(client, world, db):
    # Staff of C (coordinating) answer for the task, so they may record P's share on
    # P's behalf; staff of B (no part in the task) may not.
    c_staff = User(username="c_staff", role="staff", password_hash=CHEAP_HASH,
                   units=[db.session.get(Unit, world.ids["C"])])
    db.session.add(c_staff)
    db.session.commit()
    task_id = world.ids["task"]
    share = {"unit_id": str(world.ids["P"]), "share_status": "in_progress"}
    _sign_in(client, "staff_other")
    before = snapshot()
    assert client.post(f"/tasks/{task_id}/share", data=share).status_code == 403
    assert changes_between(before, snapshot()) == ""
    client.post("/logout")
    _sign_in(client, "c_staff")
    assert client.post(f"/tasks/{task_id}/share", data=share).status_code == 302
    report = {"status": "in_progress", "progress": "10"}
    assert client.post(f"/tasks/{task_id}/status", data=report).status_code == 302
    assert changes_between(before, snapshot()) == _sorted(
        "notification+2 sign_in_session+1 sign_in_session~1 task~1 task_unit~1 "
        "task_update+2")


def test_deactivated_account_is_signed_out_and_refused(client, world, db):
    _sign_in(client, "staff_lead")
    user = db.session.get(User, world.users["staff_lead"].id)
    user.is_active = False
    db.session.commit()
    response = client.post(f"/tasks/{world.ids['task']}/status",
                           data={"status": "done"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert db.session.get(Task, world.ids["task"]).status == "not_started"


def test_closed_quarter_and_archived_task_are_read_only_for_everyone(world, db):
    old_task = db.session.scalar(select(Task).where(Task.title == "Việc quý I đã xong"))
    archived = db.session.get(Task, world.ids["archived"])
    for user in world.users.values():
        for item in (old_task, archived):
            assert not policy.can_edit_task(user, item)
            assert not policy.can_report_progress(user, item)
            assert not policy.can_direct_task(user, item)
            assert not policy.can_archive_task(user, item)
            assert not any(policy.can_report_share(user, link)
                           for link in item.unit_links)
        assert not policy.can_restore_task(user, old_task)


@pytest.mark.parametrize("role, expected", [
    ("viewer", False), ("staff", False), ("leader", False), ("admin", True),
])
def test_only_admins_manage_and_reopen(make_user, make_quarter, role, expected):
    user = make_user(role=role)
    quarter = make_quarter(2023, 1, state="closed")
    assert policy.can_manage_users(user) is expected
    assert policy.can_manage_units(user) is expected
    assert policy.can_view_audit(user) is expected
    assert policy.can_reopen_quarter(user, quarter) is expected

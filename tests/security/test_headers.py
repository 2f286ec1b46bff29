"""Security headers on every response, and pages that keep to the CSP."""
import re
from pathlib import Path

import pytest

from tests.helpers import get_task

ROOT = Path(__file__).resolve().parents[2]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc\s*=)[^>]*>", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)
HANDLER_ATTRIBUTE = re.compile(r"\son[a-z]+\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.I)
FOREIGN_RESOURCE = re.compile(
    r"""<(?:script|link|img|iframe)[^>]+(?:src|href)=["']?(?:https?:)?//""", re.I
)
CSP_BREAKERS = (INLINE_SCRIPT, STYLE_ATTRIBUTE, HANDLER_ATTRIBUTE, STYLE_ELEMENT,
                FOREIGN_RESOURCE)

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}


def assert_secure_headers(response):
    headers = response.headers
    policy = dict(
        part.strip().split(" ", 1)
        for part in headers["Content-Security-Policy"].split(";") if part.strip()
    )
    assert policy == CSP
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] in (
        "same-origin", "strict-origin-when-cross-origin"
    )


@pytest.mark.parametrize(
    "method, path, status",
    [
        ("GET", "/login", 200),
        ("GET", "/", 302),
        ("GET", "/quarters/", 302),
        ("GET", "/static/css/app.css", 200),
        ("GET", "/static/js/app.js", 200),
        ("GET", "/bootstrap/static/css/bootstrap.min.css", 200),
        ("POST", "/quarters/new", 302),
    ],
)
def test_anonymous_responses_carry_the_headers(client, method, path, status):
    response = client.open(path, method=method)
    assert response.status_code == status
    assert_secure_headers(response)


@pytest.mark.parametrize(
    "method, path, status",
    [
        ("GET", "/quarters/", 200),
        ("GET", "/nowhere", 404),
        ("POST", "/quarters/", 405),
        ("POST", "/quarters/new", 403),
        ("GET", "/logout", 200),
        ("GET", "/account/password", 200),
    ],
)
def test_signed_in_responses_carry_the_headers(client, login_as, method, path, status):
    login_as("viewer")
    response = client.open(path, method=method)
    assert response.status_code == status
    assert_secure_headers(response)


def test_error_500_carries_the_headers(app, client, login_as, monkeypatch):
    from tracker.quarters import views

    login_as("viewer")
    monkeypatch.setattr(views.services, "quarters_page", lambda *a, **k: 1 / 0)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.get("/quarters/")
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500
    assert "Hệ thống gặp lỗi" in response.get_data(as_text=True)
    assert_secure_headers(response)


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def _templates():
    # E-mail bodies are read by mail programs, never served under the CSP, and
    # mail programs read only inline styles.
    mail = ROOT / "templates" / "notifications" / "mail"
    return sorted(path for path in (ROOT / "templates").rglob("*.html")
                  if mail not in path.parents)


def test_there_are_templates_to_scan():
    assert len(_templates()) > 10


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_keep_to_the_csp(path):
    """No inline script, style attribute, <style> element or on* handler."""
    text = path.read_text(encoding="utf-8")
    for pattern in CSP_BREAKERS:
        found = pattern.search(text)
        assert found is None, f"{path.name}: {found.group(0)!r}"


def _demo_pages():
    """Return every page of the demo an admin can open."""
    q2 = get_task("Hội Nông dân huyện lần thứ XII")
    shared = get_task("nghiêm túc Quy chế dân chủ")
    return [
        "/quarters/", "/quarters/2023-Q1/", "/quarters/2023-Q2/",
        "/quarters/2023-Q1/close", "/quarters/2023-Q1/summary",
        "/quarters/2023-Q1/rollover", "/units/", f"/units/{q2.lead_unit_id}",
        f"/tasks/{q2.id}", f"/tasks/{q2.id}/edit", f"/tasks/{shared.id}",
        "/tasks/new?quarter=2023-Q2", "/logout", "/account/password", "/nowhere",
    ]


def test_rendered_pages_keep_to_the_csp(client, login_as, demo):
    """What the browser gets (macros and Bootstrap-Flask included) keeps to it too."""
    anonymous = client.get("/login").get_data(as_text=True)
    login_as("admin")
    pages = {"/login": anonymous}
    for path in _demo_pages():
        response = client.get(path)
        assert response.status_code in (200, 404), path
        pages[path] = response.get_data(as_text=True)
    for path, text in pages.items():
        for pattern in CSP_BREAKERS:
            found = pattern.search(text)
            assert found is None, f"{path}: {found.group(0)!r}"

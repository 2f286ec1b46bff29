"""Every address the README names answers on a fresh demo."""
import re
from pathlib import Path

from werkzeug.exceptions import MethodNotAllowed, NotFound

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_addresses(app):
    """Return the application addresses written in the README, in its order.

    Every `code` span that starts with "/" (or "GET /") and that the application
    routes; placeholders such as <id> or <code> are left out.
    """
    adapter = app.url_map.bind("localhost")
    found = []
    for span in re.findall(r"`(?:GET )?(/[^`\s]*)`", README.read_text("utf-8")):
        if "<" in span or "…" in span or span in found:
            continue
        try:
            # /b/<code>/… is the same page for another board (a prefix, not a route)
            adapter.match(re.sub(r"^/b/[^/]+", "", span.split("?")[0]), method="GET")
        except (NotFound, MethodNotAllowed):
            continue  # a file path, such as /usr/bin/chromium
        found.append(span)
    return found


def test_the_readme_names_the_pages_it_promises(app):
    addresses = readme_addresses(app)
    for expected in ("/quarters/", "/quarters/2023-Q2/", "/admin/boards/",
                     "/quarters/2023-Q2/import", "/b/son-tinh/quarters/2023-Q1/"):
        assert expected in addresses


def test_every_readme_address_answers_on_a_fresh_demo(app, client, live_demo):
    # quantri: an administrator of Sơn Tịnh and of the installation, as the README
    # says, so every page it names is theirs to open.
    response = client.post("/login", data={"username": "quantri", "password": "demo"})
    assert response.status_code == 302
    failed = {}
    for address in readme_addresses(app):
        response = client.get(address)
        if response.status_code >= 400:
            failed[address] = response.status_code
    assert failed == {}
    assert client.get("/account/").status_code == 200  # still signed in


def test_the_commune_account_the_readme_lists_signs_in(client, live_demo):
    assert "`canbo_xa`" in README.read_text("utf-8")
    response = client.post("/login", data={"username": "canbo_xa", "password": "demo"})
    assert response.status_code == 302

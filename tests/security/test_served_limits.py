"""Under `make serve` (gunicorn, several worker processes), the 11th failed sign-in
for one account answers 429.

gunicorn is started the way `make serve` starts it (gunicorn.conf.py, wsgi:app) with
three workers, on the test database (SQLite file or PostgreSQL), with the default
limits and CSRF on. Ten wrong passwords go in from three clients at once, so that
several workers serve them (the access log names the process of each); the 11th
attempt, even with the right password, is refused. So that the spread does not depend
on luck, the test's own gunicorn settings (the project's file, read first, plus two
hooks) wait until every worker has loaded the app, and hold each sign-in post for a
moment so that a busy worker leaves the next connection to another. Marked `served`: it takes a few
seconds; `-m "not served"` leaves it out of a quick local run.
"""
import concurrent.futures
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

pytestmark = pytest.mark.served


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


HOOKS = """
import os, time
exec(open(os.path.join({root!r}, "gunicorn.conf.py")).read())


def post_worker_init(worker):
    open(os.path.join({ready!r}, str(os.getpid())), "w").close()


def pre_request(worker, req):
    if req.method == "POST":
        time.sleep(0.2)
"""


@pytest.fixture
def server(app, tmp_path):
    """Start gunicorn with three workers on the test database; stop it after."""
    port = _free_port()
    log = tmp_path / "access.log"
    ready = tmp_path / "ready"
    ready.mkdir()
    conf = tmp_path / "gunicorn_test.conf.py"
    conf.write_text(HOOKS.format(root=ROOT, ready=str(ready)))
    env = dict(os.environ)
    env.update(
        TRACKER_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        TRACKER_SECRET_KEY="served-test", TRACKER_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="3", TRACKER_PAGE_CACHE="false",
    )
    for name in list(env):
        if name.startswith("TRACKER_RATELIMIT") or name.startswith("TRACKER_LOGIN"):
            env.pop(name)  # the defaults: counted in the database, 10 per account
    proc = subprocess.Popen(
        [os.path.join(BIN, "gunicorn"), "-c", str(conf),
         "--access-logfile", str(log), "--access-logformat", '%(p)s "%(r)s" %(s)s',
         "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                if (conn.getresponse().status == 200
                        and len(list(ready.iterdir())) >= 3):
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(proc.stderr.read().decode()[-3000:])
            time.sleep(0.1)
        yield port, log
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _attempt(port, username, password):
    """Sign in as a browser would: the form (token, cookie), then the post."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login")
    page = conn.getresponse()
    html = page.read().decode()
    cookie = page.getheader("Set-Cookie").split(";", 1)[0]
    body = urllib.parse.urlencode({
        "csrf_token": CSRF.search(html).group(1), "username": username,
        "password": password,
    })
    conn.request("POST", "/login", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    answer = conn.getresponse()
    text = answer.read().decode()
    conn.close()
    return answer.status, text


def test_the_11th_failed_sign_in_answers_429_under_gunicorn(server, make_user):
    port, log = server
    make_user("canbo")
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        first = list(pool.map(lambda _: _attempt(port, "canbo", "wrong")[0],
                              range(10)))
    assert first == [200] * 10
    status, text = _attempt(port, "canbo", "secret-pass")
    assert status == 429
    assert "Thử quá nhiều lần" in text
    posts = []
    deadline = time.monotonic() + 10
    while len(posts) < 11 and time.monotonic() < deadline:  # written after answering
        posts = [line.split()[0] for line in log.read_text().splitlines()
                 if '"POST /login' in line]
        time.sleep(0.05)
    assert len(posts) == 11
    assert len(set(posts)) >= 2, "one worker served every attempt"

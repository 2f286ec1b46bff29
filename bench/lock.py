"""A status update while another connection holds SQLite's write lock: 503 or saved,
never 500 — against gunicorn with the shipped settings.

The test suite runs the same code path with timeouts of a fraction of a second
(tests/security/test_busy.py). This script runs it as deployed: a fresh SQLite
database with the demo data, gunicorn with its default settings (busy timeout 5 s,
one more try), a person signed in with a CSRF token, and another connection that
holds the write lock for 12 s (then 7 s) while the person saves a progress report.

    python bench/lock.py [--hold 12] [--second-hold 7] [--workers 2]

With a 12 s hold the answer is 503 with Retry-After and a page that shows what was
typed, after about 10 s (two waits of 5 s); sending it again once the lock is free
saves it once. With a 7 s hold the second wait succeeds and the report is saved.
Only 127.0.0.1 is contacted; the server is stopped at the end whatever happens.
"""
import argparse
import os
import re
import sqlite3
import sys
import tempfile
import threading
import time

from load import (  # bench/load.py: the same server and client helpers
    ROOT, Client, CSRF_ANY, free_port, prepare_database, shared_tasks, app_for,
    start_server, stop_server,
)

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
SEND_AGAIN = re.compile(r'<form method="post" action="([^"]*)">(.*?)</form>', re.S)


def sign_in(port):
    """Return a client signed in as staff of the board (demo password)."""
    client = Client(port, timeout=60)
    _status, _headers, html, _ = client.request("GET", "/login")
    token = CSRF_ANY.search(html).group(1)
    status, _headers, _text, _ = client.request("POST", "/login", {
        "csrf_token": token, "username": "canbo_bdv", "password": "demo"})
    if status != 302:
        raise SystemExit(f"sign-in answered {status}")
    return client


def hold_lock(path, seconds, started):
    """Take SQLite's write lock on another connection and keep it for a while."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    started.set()

    def release():
        time.sleep(seconds)
        conn.rollback()
        conn.close()

    thread = threading.Thread(target=release)
    thread.start()
    return thread


def history_count(url, task_id, note):
    """Return how many history rows of the task carry the note."""
    from sqlalchemy import func, select

    from tracker.extensions import db
    from tracker.models import TaskUpdate

    app = app_for(url)
    with app.app_context():
        count = db.session.scalar(select(func.count(TaskUpdate.id)).where(
            TaskUpdate.task_id == task_id, TaskUpdate.note == note))
        db.session.remove()
        db.engine.dispose()
    return count


def report(client, task_id, note, progress):
    """Post a progress report from the task page's form; return status, text, time."""
    _status, _headers, html, _ = client.request("GET", f"/tasks/{task_id}")
    token = CSRF_ANY.search(html).group(1)
    form = {"csrf_token": token, "status": "in_progress", "progress": str(progress),
            "note": note}
    status, headers, text, elapsed = client.request(
        "POST", f"/tasks/{task_id}/status", form)
    return status, headers, text, elapsed


def scenario(port, path, url, task_id, hold, note, progress):
    """Save a report while the lock is held for `hold` seconds; return problems."""
    problems = []
    client = sign_in(port)
    started = threading.Event()
    thread = hold_lock(path, hold, started)
    started.wait()
    status, headers, text, elapsed = report(client, task_id, note, progress)
    print(f"  lock held {hold:.0f} s: answered {status} after {elapsed:.1f} s"
          + (f", Retry-After: {headers.get('Retry-After')}" if status == 503 else ""))
    if status >= 500 and status != 503:
        problems.append(f"answered {status}")
    if status == 503:
        if not headers.get("Retry-After"):
            problems.append("503 without Retry-After")
        if "Chưa lưu" not in text or note.splitlines()[0] not in text:
            problems.append("503 page without the message or the typed note")
        if history_count(url, task_id, note) != 0:
            problems.append("half-written: the report is in the history after a 503")
    thread.join()
    if status == 503:
        forms = [(action, body) for action, body in SEND_AGAIN.findall(text)
                 if "Gửi lại" in body]
        if len(forms) != 1:
            problems.append("no 'send again' form on the 503 page")
        else:
            action, body = forms[0]
            fields = dict(HIDDEN.findall(body))
            fields["note"] = note  # (a browser sends the attribute's value unescaped)
            again, _headers, _text, took = client.request("POST", action, fields)
            print(f"  sent again after the lock was let go: {again} in {took:.2f} s")
            if again != 302:
                problems.append(f"sending again answered {again}")
    saved = history_count(url, task_id, note)
    print(f"  saved in the history: {saved} time(s)")
    if saved != 1:
        problems.append(f"the report is in the history {saved} times, not once")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hold", type=float, default=12)
    parser.add_argument("--second-hold", type=float, default=7)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="tracker-lock-")
    path = os.path.join(folder, "tracker.sqlite")
    url = f"sqlite:///{path}"
    env = dict(os.environ, TRACKER_DATABASE_URL=url, TRACKER_SECRET_KEY="lock-bench",
               TRACKER_PAGE_CACHE="false")
    print(f"database {path}")
    prepare_database(url, env)
    task_id = shared_tasks(app_for(url), 1)[0]
    port = free_port(5121, 5139)
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    log_path = os.path.join(ROOT, "bench", "results", "lock-gunicorn.log")
    proc, log = start_server(env, port, args.workers, log_path)
    problems = []
    try:
        for number, hold in enumerate((args.hold, args.second_hold), start=1):
            note = f"Báo cáo khi cơ sở dữ liệu bị khóa {hold:.0f} giây\n=1+1"
            problems += scenario(port, path, url, task_id, hold, note, 10 + number)
    finally:
        stop_server(proc, log)
    if problems:
        print("PROBLEMS:\n  " + "\n  ".join(problems))
        sys.exit(1)
    print("ok: never 500; a 503 kept what was typed and wrote nothing")


if __name__ == "__main__":
    main()

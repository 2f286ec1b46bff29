"""Concurrent progress reports against the tracker under gunicorn, then a check.

For each database (a temporary SQLite file, and PostgreSQL when a URL is given) the
script builds a fresh database (`flask db upgrade` + `flask demo`), starts gunicorn
with several workers on 127.0.0.1, and runs N client threads. Each client signs in
with its own session and makes M progress reports on a small shared set of tasks,
reading the CSRF token from the task page's form each time. Afterwards it reads the
database and checks that every accepted report is in the history exactly once, that
the history of each task is one unbroken chain (no report was based on a state that
another had already replaced: no lost update), and that no request failed.

Only 127.0.0.1 is contacted; every loop is bounded in count and in time, and the
server is stopped at the end whatever happens. Run it with `make load`.

    python bench/load.py [--clients 8] [--updates 25] [--workers 4] [--tasks 4]
                         [--database-url postgresql://...] [--no-sqlite]

A PostgreSQL database given here is wiped (its public schema is dropped).
"""
import argparse
import http.client
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
BIN = os.path.dirname(sys.executable)
HOST = "127.0.0.1"
ACCOUNTS = (("canbo_bdv", "demo"), ("lanhdao", "demo"))  # both report for BDV
NOTE_PREFIX = "load"
CSRF_IN_FORM = re.compile(
    r'<form[^>]*action="(?P<action>[^"]*)"[^>]*>.*?name="csrf_token"[^>]*value="'
    r'(?P<token>[^"]+)"',
    re.S,
)
CSRF_ANY = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# ---------------------------------------------------------------- the database

def prepare_database(url, env):
    """Empty the database, migrate it and load the demo data through the CLI."""
    if url.startswith("postgres"):
        from sqlalchemy import create_engine, text

        from tracker.config import normalise_database_url

        engine = create_engine(normalise_database_url(url))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    flask = [os.path.join(BIN, "flask"), "--app", "tracker"]
    for args in (["db", "upgrade"], ["demo"]):
        subprocess.run(
            flask + args, env=env, cwd=ROOT, check=True, capture_output=True,
            timeout=120,
        )


def app_for(url):
    """Return a tracker app bound to the database (for reading it back)."""
    from tracker import create_app

    return create_app({"DATABASE_URL": url, "SECRET_KEY": "load", "TESTING": True})


def shared_tasks(app, count):
    """Return the ids of open tasks led by the board (BDV) to report on."""
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.models import Quarter, Task, Unit

    with app.app_context():
        ids = db.session.scalars(
            select(Task.id)
            .join(Task.quarter)
            .join(Unit, Unit.id == Task.lead_unit_id)
            .where(Unit.short_name == "BDV", Quarter.state != "closed",
                   Task.status.not_in(("done", "cancelled")))
            .order_by(Task.id)
            .limit(count)
        ).all()
        db.session.remove()
        db.engine.dispose()
    return ids


# ---------------------------------------------------------------- the server

def free_port(first, last):
    """Return the first port in [first, last] that 127.0.0.1 can bind."""
    for port in range(first, last + 1):
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((HOST, port))
            except OSError:
                continue
            return port
    raise SystemExit(f"No free port between {first} and {last}.")


def start_server(env, port, workers, log_path):
    """Start gunicorn on 127.0.0.1:port and wait until it answers."""
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        [os.path.join(BIN, "gunicorn"), "-w", str(workers), "-b", f"{HOST}:{port}",
         "--timeout", "60", "--graceful-timeout", "5", "wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited early; see {log_path}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/login")
            if conn.getresponse().status == 200:
                conn.close()
                return proc, log
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(proc, log)
    raise SystemExit(f"gunicorn did not answer within 30 s; see {log_path}")


def stop_server(proc, log):
    """Stop gunicorn (TERM, then KILL after a grace period)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)
    log.close()


# ---------------------------------------------------------------- the clients

@dataclass
class Tally:
    """What the clients saw, added up under a lock."""

    requests: int = 0
    accepted: list = field(default_factory=list)  # notes of accepted reports
    conflicts: int = 0
    refused: int = 0
    errors: list = field(default_factory=list)
    latencies: list = field(default_factory=list)  # seconds, progress POSTs
    lock: threading.Lock = field(default_factory=threading.Lock)


class Client:
    """One person's browser: a session cookie and plain HTTP/1.1 requests."""

    def __init__(self, port, timeout):
        self.port = port
        self.timeout = timeout
        self.cookies = {}

    def request(self, method, path, form=None):
        """Send a request and return (status, headers, body text, seconds)."""
        headers = {"Host": f"{HOST}:{self.port}", "Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        started = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        elapsed = time.perf_counter() - started
        for value in response.headers.get_all("Set-Cookie") or ():
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.headers, text, elapsed


def run_client(number, port, task_ids, updates, deadline, tally, timeout):
    """Sign in, then make `updates` progress reports on random shared tasks."""
    client = Client(port, timeout)
    username, password = ACCOUNTS[number % len(ACCOUNTS)]
    rng = random.Random(number)

    def count(status, elapsed=None):
        with tally.lock:
            tally.requests += 1
            if elapsed is not None:
                tally.latencies.append(elapsed)
            if status >= 500:
                tally.errors.append(f"client {number}: HTTP {status}")

    try:
        status, _, page, _ = client.request("GET", "/login")
        count(status)
        token = CSRF_ANY.search(page).group(1)
        status, headers, _, _ = client.request(
            "POST", "/login",
            {"csrf_token": token, "username": username, "password": password},
        )
        count(status)
        if status != 302:
            raise RuntimeError(f"sign-in answered {status}")
        for n in range(updates):
            if time.monotonic() > deadline:
                with tally.lock:
                    tally.errors.append(f"client {number}: out of time at {n}")
                return
            task_id = rng.choice(task_ids)
            status, _, page, _ = client.request("GET", f"/tasks/{task_id}")
            count(status)
            if status != 200:
                continue
            action = f"/tasks/{task_id}/status"
            forms = CSRF_IN_FORM.finditer(page)
            # The form posts to its own section ("…/status#report").
            token = next((m["token"] for m in forms
                          if m["action"].split("#")[0] == action), None)
            if token is None:
                raise RuntimeError(f"no progress form on task {task_id}")
            note = f"{NOTE_PREFIX} c{number} u{n} t{task_id}"
            status, headers, _, elapsed = client.request(
                "POST", action,
                {"csrf_token": token, "status": "in_progress",
                 "progress": str(rng.randrange(0, 100)), "note": note},
            )
            count(status, elapsed)
            with tally.lock:
                # A saved report returns to its task, at the history.
                location = headers.get("Location", "").split("#")[0]
                if status == 302 and location.endswith(f"/tasks/{task_id}"):
                    tally.accepted.append(note)
                elif status == 409:
                    tally.conflicts += 1
                elif status < 500:
                    tally.refused += 1
    except Exception as exc:  # a timeout or a reset: count it, end this client
        with tally.lock:
            tally.errors.append(f"client {number}: {type(exc).__name__}: {exc}")


# ---------------------------------------------------------------- the check

def verify(app, task_ids, accepted):
    """Read the history back; return a list of problems (empty when all is well)."""
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.models import Task, TaskUpdate

    problems = []
    with app.app_context():
        rows = db.session.execute(
            select(TaskUpdate.task_id, TaskUpdate.old_progress, TaskUpdate.new_progress,
                   TaskUpdate.note)
            .where(TaskUpdate.action == "progress", TaskUpdate.task_id.in_(task_ids))
            .order_by(TaskUpdate.id)
        ).all()
        loaded = [row for row in rows if row.note.startswith(NOTE_PREFIX + " ")]
        notes = [row.note for row in loaded]
        if len(notes) != len(accepted):
            problems.append(
                f"{len(accepted)} reports accepted but {len(notes)} in the history"
            )
        if len(set(notes)) != len(notes):
            problems.append("a report is in the history twice")
        missing = set(accepted) - set(notes)
        if missing:
            problems.append(f"{len(missing)} accepted reports missing, e.g. "
                            f"{sorted(missing)[0]!r}")
        extra = set(notes) - set(accepted)
        if extra:
            problems.append(f"{len(extra)} reports stored that were not accepted")
        lost = 0
        for task_id in task_ids:
            chain = [row for row in rows if row.task_id == task_id]
            for before, after in zip(chain, chain[1:]):
                if after.old_progress != before.new_progress:
                    lost += 1
            task = db.session.get(Task, task_id)
            if chain and task.progress != chain[-1].new_progress:
                problems.append(f"task {task_id}: progress {task.progress} is not the "
                                f"last report's {chain[-1].new_progress}")
        if lost:
            problems.append(f"{lost} lost updates (a report based on a replaced state)")
        db.session.remove()
        db.engine.dispose()
    return problems, lost


def percentile(values, pct):
    """Return the pct-th percentile (nearest rank) in milliseconds."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank] * 1000


# ---------------------------------------------------------------- one run

def run(label, url, args, results_dir):
    """Build the database, serve it, load it, check it; return a result row."""
    env = dict(os.environ)
    for name in list(env):
        if name.startswith("TRACKER_"):
            del env[name]
    env.update(
        TRACKER_DATABASE_URL=url,
        TRACKER_SECRET_KEY=secrets.token_hex(16),
        PYTHONUNBUFFERED="1",
    )
    prepare_database(url, env)
    app = app_for(url)
    task_ids = shared_tasks(app, args.tasks)
    if not task_ids:
        raise SystemExit("The demo has no open task led by BDV to report on.")
    port = args.port or free_port(*args.port_range)
    log_path = os.path.join(results_dir, f"gunicorn-{label}.log")
    proc, log = start_server(env, port, args.workers, log_path)
    tally = Tally()
    started = time.monotonic()
    deadline = started + args.time_limit
    try:
        threads = [
            threading.Thread(
                target=run_client,
                args=(n, port, task_ids, args.updates, deadline, tally, args.timeout),
                daemon=True,
            )
            for n in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(max(0.1, deadline + args.timeout - time.monotonic()))
        hung = sum(thread.is_alive() for thread in threads)
        if hung:
            tally.errors.append(f"{hung} clients still running at the time limit")
    finally:
        stop_server(proc, log)
    elapsed = time.monotonic() - started
    with open(log_path, encoding="utf-8", errors="replace") as fh:
        server_log = fh.read()
    if "Traceback" in server_log or "database is locked" in server_log:
        tally.errors.append(f"the server logged an exception; see {log_path}")
    problems, lost = verify(app, task_ids, tally.accepted)
    return {
        "database": label,
        "load": f"{args.clients}x{args.updates} on {len(task_ids)} tasks, "
                f"{args.workers} workers",
        "requests": tally.requests,
        "accepted": len(tally.accepted),
        "conflicts": tally.conflicts,
        "refused": tally.refused,
        "errors": len(tally.errors),
        "lost": lost,
        "p50": percentile(tally.latencies, 50),
        "p95": percentile(tally.latencies, 95),
        "seconds": elapsed,
        "problems": problems + tally.errors[:5] + (
            [f"{tally.refused} valid reports were refused"] if tally.refused else []
        ),
    }


def print_table(rows):
    """Print the figures of every run as one table."""
    head = ("database", "requests", "accepted", "conflicts", "refused", "errors",
            "lost", "p50 ms", "p95 ms", "seconds", "load")
    lines = [head]
    for row in rows:
        lines.append((
            row["database"], str(row["requests"]), str(row["accepted"]),
            str(row["conflicts"]), str(row["refused"]), str(row["errors"]),
            str(row["lost"]), f"{row['p50']:.1f}", f"{row['p95']:.1f}",
            f"{row['seconds']:.1f}", row["load"],
        ))
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    for i, line in enumerate(lines):
        print("  ".join(cell.ljust(widths[j]) if j in (0, len(head) - 1)
                        else cell.rjust(widths[j]) for j, cell in enumerate(line)))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print("(latency: progress-report POSTs; refused: answered 4xx other than 409)")


def main(argv=None):
    """Parse the options, run each database in turn, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--updates", type=int, default=25, help="reports per client")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--tasks", type=int, default=4, help="size of the shared set")
    parser.add_argument("--time-limit", type=float, default=120.0,
                        help="seconds the clients may run in all")
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="seconds one request may take")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-range", type=int, nargs=2, default=(5121, 5139))
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument(
        "--database-url", default=os.environ.get("LOAD_DATABASE_URL")
        or os.environ.get("TEST_DATABASE_URL"),
        help="PostgreSQL database to load (WIPED); default $LOAD_DATABASE_URL, "
             "then $TEST_DATABASE_URL",
    )
    args = parser.parse_args(argv)
    for name in ("clients", "updates", "workers", "tasks"):
        if not 1 <= getattr(args, name) <= 1000:
            parser.error(f"--{name} must be from 1 to 1000")

    results_dir = os.path.join(ROOT, "bench", "results")
    os.makedirs(results_dir, exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="tracker-load-") as tmp:
        targets = []
        if not args.no_sqlite:
            targets.append(("sqlite", "sqlite:///" + os.path.join(tmp, "load.sqlite")))
        if args.database_url:
            targets.append(("postgresql", args.database_url))
        if not targets:
            parser.error("nothing to load: give --database-url or drop --no-sqlite")
        for label, url in targets:
            print(f"== {label}: {args.clients} clients x {args.updates} reports ...",
                  flush=True)
            rows.append(run(label, url, args, results_dir))
    print()
    print_table(rows)
    failed = False
    for row in rows:
        for problem in row["problems"]:
            print(f"{row['database']}: {problem}")
            failed = True
    print("FAILED" if failed else "OK: every accepted report is in the history, "
          "no lost update, no error.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

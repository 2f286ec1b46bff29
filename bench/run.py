"""Measure the tracker at a district's, a province's and the nation's size.

    python bench/run.py [--presets district,province] [--quick]
                        [--database-url postgresql://…]   (or TEST_DATABASE_URL)

For each engine (SQLite, and PostgreSQL when a URL is given), each preset and each
depth of history (1 and 40 quarters), it builds a database with `tracker.generate`
(kept in bench/results/ and reused while the generator, the migrations and the sizes
are unchanged), then, signed in through the Flask test client, requests every page
repeatedly and records the median and 95th-percentile time, the SQL statements and
the peak memory (tracemalloc) of a request. It then serves the app with gunicorn on
127.0.0.1 and measures requests per second on the board and the summary against
/healthz, the cheapest route of the same stack. Results go to stdout and to
bench/RESULTS.md (Markdown) and bench/results/latest.json.
"""

import argparse
import datetime as dt
import hashlib
import http.client
import inspect
import json
import os
import platform
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

TODAY = "2025-05-15"  # pinned: the newest quarter is 2025-Q2, half way through
HISTORIES = (1, 40)
REPEATS = {"district": 60, "province": 25, "national": 5}
QUICK_REPEATS = {"district": 8, "province": 4, "national": 2}
SAMPLE_SECONDS = 1.5  # a quick page is requested until about this long, per database
MAX_REPEATS = 300
FLOOR_SAMPLES = 15  # floors measured beside each page, for its "× floor"
# Requests before a page is measured: they fill the template and statement caches,
# and on PostgreSQL the driver prepares a statement once it has run this many times
# on a connection (psycopg's prepare_threshold), as a worker's would have long since.
WARM_UP = 5
PRESET_ORDER = ("district", "province", "national")
PORT = int(os.environ.get("BENCH_PORT", "5141"))
SECRET = "bench-only-secret"
# Measured with the page cache on (repeated requests are served from it); every
# other page is measured with it off, as built from the database.
CACHED_PAGES = ("Board (page cache)",)
OFF = "Board (page cache off, 2 workers)"
# Pages whose 40-quarter database shows one more statement for a reason that is not
# growth: the 1-quarter database's task was never carried (its earlier quarters were
# trimmed), the 40-quarter one's was, and its page reads the whole chain it was
# carried along in one statement, whatever its length
# (tests/quarters/test_rollover.py holds a task carried once and one carried twice
# to the same count).
CHAINED = {"Task page": "+1: the chain the task was carried along, one statement"}
THROUGHPUT_ROUTES = ("/healthz", "Board", OFF, "Summary")
UNCACHED_GOAL = 100  # requests/s of the uncached province board on 2 workers
EXPORTS = (
    ("Report .docx", "/quarters/<key>/report.docx"),
    ("Workbook .xlsx", "/quarters/<key>/report.xlsx"),
    ("Tasks .csv", "/quarters/<key>/tasks.csv"),
)


# ---- databases ------------------------------------------------------------------
def fingerprint(preset, quarters, seed):
    """Return a digest of what the generated database depends on."""
    digest = hashlib.sha1()
    for path in sorted((ROOT / "migrations" / "versions").glob("*.py")):
        digest.update(path.name.encode())
    for path in [ROOT / "tracker" / "generate.py", ROOT / "tracker" / "demo.py"]:
        digest.update(path.read_bytes())
    for function in (build_one, trim):
        digest.update(inspect.getsource(function).encode())
    digest.update(f"{preset}/{quarters}/{seed}/{TODAY}".encode())
    return digest.hexdigest()[:16]


def database_url(engine, base_url, preset, quarters):
    """Return the URL of the benchmark database for the engine and sizes."""
    name = f"bench_{preset}_{quarters}"
    if engine == "sqlite":
        return f"sqlite:///{RESULTS / (name + '.sqlite')}"
    # One PostgreSQL database, one schema per size: nothing else is touched.
    parts = urllib.parse.urlsplit(base_url)
    query = urllib.parse.urlencode({"options": f"-csearch_path={name}"})
    return urllib.parse.urlunsplit(parts._replace(query=query)), name


def build(engine, base_url, preset, quarters, seed, rebuild):
    """Create (or reuse) the database for the sizes; return its URL."""
    from sqlalchemy import create_engine, text

    from tracker.config import normalise_database_url

    marker_file = RESULTS / "built.json"
    markers = json.loads(marker_file.read_text()) if marker_file.exists() else {}
    print_ = lambda *a: print(*a, file=sys.stderr, flush=True)  # noqa: E731
    if engine == "sqlite":
        url = database_url(engine, base_url, preset, quarters)
        key = url
        exists = Path(url[len("sqlite:///") :]).exists()
    else:
        url, schema = database_url(engine, base_url, preset, quarters)
        key = f"{base_url}#{schema}"
        admin = create_engine(normalise_database_url(base_url))
        with admin.begin() as conn:
            exists = (
                conn.scalar(
                    text(
                        "SELECT count(*) FROM information_schema.schemata"
                        " WHERE schema_name = :s"
                    ),
                    {"s": schema},
                )
                > 0
            )
            if rebuild or markers.get(key) != fingerprint(preset, quarters, seed):
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
                exists = False
        admin.dispose()
    wanted = fingerprint(preset, quarters, seed)
    if exists and not rebuild and markers.get(key) == wanted:
        return url
    if engine == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(url[len("sqlite:///") :] + suffix).unlink(missing_ok=True)
    print_(f"building {engine} {preset} × {quarters} quarters …")
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, __file__, "--build-one", url, preset, str(quarters),
         "--seed", str(seed)],
        cwd=ROOT, capture_output=True, text=True,
    )
    if result.returncode:
        sys.exit(f"building {url} failed:\n{result.stderr[-3000:]}")
    tasks, updates, links = result.stdout.split()[-3:]
    print_(
        f"  {tasks} tasks, {links} links, {updates} history rows in "
        f"{time.perf_counter() - started:.1f} s"
    )
    markers[key] = wanted
    marker_file.write_text(json.dumps(markers, indent=1))
    return url


def build_one(url, preset, history, seed):
    """Generate the preset's 40 quarters into url, keep the newest `history` of them.

    Every database of a preset holds the same newest quarter, task for task: the
    1-quarter one is the 40-quarter one with its earlier quarters deleted, so the
    ratio 40 : 1 measures the archive's cost and nothing else.
    """
    import flask_migrate

    from tracker import create_app
    from tracker.extensions import db
    from tracker.generate import generate, resolve_sizes
    from tracker.i18n import today

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "x", "TODAY": TODAY})
    with app.app_context():
        flask_migrate.upgrade()
        counts = generate(resolve_sizes(preset, max(HISTORIES), seed=seed), today())
        if history < max(HISTORIES):
            trim(db, history)
        db.session.remove()
        # Compact what the trim deleted and refresh the planner's statistics, as a
        # database that never held the earlier quarters would be. PostgreSQL's
        # plain VACUUM only frees the deleted rows' space for reuse: the kept
        # quarter's thousand tasks would still span the pages of forty quarters,
        # and every scan of the table read them all. VACUUM FULL writes the
        # tables anew, as SQLite's VACUUM does.
        with db.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            full = conn.dialect.name == "postgresql"
            conn.exec_driver_sql("VACUUM FULL" if full else "VACUUM")
            conn.exec_driver_sql("ANALYZE")
        print(counts.tasks, counts.updates, counts.links)


def trim(db, keep):
    """Delete all but the newest `keep` quarters and everything in them."""
    from sqlalchemy import delete, select, update

    from tracker.models import AuditEvent, Quarter, Task, TaskUnit, TaskUpdate

    kept = select(Quarter.id).order_by(Quarter.year.desc(), Quarter.number.desc())
    kept = [row for row in db.session.scalars(kept.limit(keep))]
    old = select(Task.id).where(Task.quarter_id.not_in(kept))
    db.session.execute(update(Task).where(Task.quarter_id.in_(kept),
                                          Task.carried_from_id.in_(old))
                       .values(carried_from_id=None))
    db.session.execute(delete(TaskUpdate).where(TaskUpdate.task_id.in_(old)))
    db.session.execute(delete(TaskUnit).where(TaskUnit.task_id.in_(old)))
    db.session.execute(update(Task).where(Task.quarter_id.not_in(kept))
                       .values(carried_from_id=None))
    db.session.execute(delete(Task).where(Task.quarter_id.not_in(kept)))
    db.session.execute(delete(AuditEvent).where(AuditEvent.entity_type == "quarter",
                                                AuditEvent.entity_id.not_in(kept)))
    db.session.execute(delete(Quarter).where(Quarter.id.not_in(kept)))
    db.session.commit()


# ---- in-process measurement --------------------------------------------------------
def percentile(values, fraction):
    """Return the nearest-rank percentile of the values."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def _site(url):
    """Sign in to an app on the database; return (client, its pages, its engine)."""
    from sqlalchemy import func, select

    from tracker import create_app
    from tracker.extensions import db
    from tracker.models import Quarter, Task, TaskUnit, Unit

    # The page cache is off: the pages are measured as built from the database,
    # except those in CACHED_PAGES, measured as served again from the cache.
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET, "TODAY": TODAY,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "PAGE_CACHE": False})
    client = app.test_client()
    response = client.post("/login", data={"username": "quantri", "password": "demo"})
    assert response.status_code == 302, "signing in failed"
    with app.app_context():
        quarter = db.session.scalars(
            select(Quarter).order_by(Quarter.year.desc(), Quarter.number.desc())
        ).first()
        key = quarter.key
        app.config["BENCH_QUARTER"] = key
        hnd = db.session.scalar(select(Unit.id).where(Unit.short_name == "HND"))
        # The shared task with the number of units closest to ten: the same task in
        # every database of a preset (they share the newest quarter).
        sizes = db.session.execute(
            select(TaskUnit.task_id, func.count())
            .join(Task, Task.id == TaskUnit.task_id)
            .where(Task.quarter_id == quarter.id, TaskUnit.role == "participating")
            .group_by(TaskUnit.task_id)
        ).all()
        shared = min(sizes, key=lambda item: (abs(item[1] - 10), item[0]))[0] \
            if sizes else db.session.scalar(select(func.min(Task.id)))
        rules = {rule.rule for rule in app.url_map.iter_rules()}
        engine = db.engine
    pages = [
        ("Quarter list", "/quarters/"),
        ("Board", f"/quarters/{key}/"),
        ("Board (page cache)", f"/quarters/{key}/"),
        ("Board ?q=", f"/quarters/{key}/?q=dan+van"),
        ("Board ?unit=", f"/quarters/{key}/?unit={hnd}"),
        ("Summary", f"/quarters/{key}/summary"),
        ("Rollover", f"/quarters/{key}/rollover"),
        ("Task page", f"/tasks/{shared}"),
        ("Units list", "/units/"),
        ("Unit page", f"/units/{hnd}"),
    ]
    pages += [(name, rule.replace("<key>", key)) for name, rule in EXPORTS
              if rule in rules]
    pages.append(("/healthz", "/healthz"))
    pages.append((FLOOR, FLOOR))
    return client, dict(pages), engine


FLOOR = "Floor"  # the least a page of the quarter's tasks can cost (see floor())


class _Measured:
    """What measure_pages reads of a response, for the floor."""

    status_code = 200

    def __init__(self, data):
        self.data = data


def floor(app, key):
    """Do the least a page listing the quarter's tasks must: one query for the tasks
    with their lead unit, one for their unit links, and the stdlib csv writer over
    those rows. Every page's time is also given as a multiple of this."""
    import csv
    import io

    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.models import Quarter, Task, TaskUnit, Unit

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # Read as the app reads on PostgreSQL (tracker.db_setup): in autocommit
            # mode. A transaction's ROLLBACK would also make the driver forget the
            # statements it prepared on this connection, the pages' among them.
            db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        year, number = (int(part) for part in key.split("-Q"))
        quarter_id = db.session.scalar(select(Quarter.id).where(
            Quarter.year == year, Quarter.number == number))
        # Tables' columns only: a model's attribute anywhere in a statement makes it
        # an ORM statement, whose rows cost more to read (about 1 µs a row).
        tasks, units, task_units = Task.__table__, Unit.__table__, TaskUnit.__table__
        rows = db.session.execute(
            select(tasks, units.c.name)
            .join(units, units.c.id == tasks.c.lead_unit_id)
            .where(tasks.c.quarter_id == quarter_id)
        ).all()
        links = db.session.execute(
            select(task_units).where(task_units.c.task_id.in_(
                select(tasks.c.id).where(tasks.c.quarter_id == quarter_id)))
        ).all()
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerows(rows)
        writer.writerows(links)
        db.session.remove()
        return _Measured(out.getvalue().encode())


def _get(client, path, key):
    """Request a page (its whole body, streamed or not), or measure the floor."""
    if path == FLOOR:
        return floor(client.application, key)
    response = client.get(path)
    response.get_data()
    return response


def as_a_worker():
    """Do what each gunicorn worker does once it has loaded the app: gunicorn.conf.py's
    post_worker_init (the app frozen for the garbage collector, its thresholds)."""
    settings = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), settings)
    settings["post_worker_init"](None)


def measure_pages(urls, repeats):
    """Request every page of each database's newest quarter; return [{page: figures}].

    The databases' requests alternate (1 quarter, 40 quarters, 1, 40, …), so a burst
    of load from elsewhere on the machine slows both alike and their ratio holds.
    Each page's request is followed by the floor's on the same database, and the
    page's "× floor" divides its median by the median of those floors: a page and
    its floor are measured in the same moments, whatever the machine does between
    one page and the next.
    """
    from sqlalchemy import event

    sites = [_site(url) for url in urls]
    as_a_worker()
    statements = []
    for _, _, engine in sites:
        event.listen(engine, "before_cursor_execute",
                     lambda *args: statements.append(1))
    names = list(sites[0][1])
    results = [{} for _ in sites]
    for name in names:
        samples = []
        for client, pages, _ in sites:
            client.application.config["PAGE_CACHE"] = name in CACHED_PAGES
            path = pages.get(name)
            for _ in range(WARM_UP):
                response = _get(client, path, client.application.config[
                    "BENCH_QUARTER"])
                if response.status_code != 200:
                    raise SystemExit(f"{path} answered {response.status_code}")
            statements.clear()
            started = time.perf_counter()
            _get(client, path, client.application.config["BENCH_QUARTER"])
            samples.append(dict(path=path, statements=len(statements), times=[],
                                cpu=[], floors=[],
                                first=time.perf_counter() - started))
        # Quick pages get more requests (up to about SAMPLE_SECONDS each), so that
        # their medians, a few milliseconds, stand clear of the machine's noise.
        slowest = max(sample["first"] for sample in samples)
        page_repeats = max(repeats, min(MAX_REPEATS, int(SAMPLE_SECONDS / slowest)))
        # The floor follows the page's request on about FLOOR_SAMPLES of them, spread
        # over its run (every one, for a page requested fewer times).
        floor_every = max(1, page_repeats // FLOOR_SAMPLES)
        for index in range(page_repeats):
            for (client, pages, _), sample in zip(sites, samples):
                started, cpu_started = time.perf_counter(), time.process_time()
                response = _get(client, sample["path"],
                                client.application.config["BENCH_QUARTER"])
                sample["times"].append(time.perf_counter() - started)
                sample["cpu"].append(time.process_time() - cpu_started)
                sample["bytes"] = len(response.data)
                if name != FLOOR and index % floor_every == 0:
                    started = time.perf_counter()
                    _get(client, FLOOR, client.application.config["BENCH_QUARTER"])
                    sample["floors"].append(time.perf_counter() - started)
        for (client, pages, _), sample, result in zip(sites, samples, results):
            tracemalloc.start()
            _get(client, sample["path"], client.application.config["BENCH_QUARTER"])
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            result[name] = dict(
                path=sample["path"],
                median_ms=statistics.median(sample["times"]) * 1000,
                p95_ms=percentile(sample["times"], 0.95) * 1000,
                cpu_ms=statistics.median(sample["cpu"]) * 1000,
                statements=sample["statements"], peak_mb=peak / 2**20,
                bytes=sample["bytes"], repeats=page_repeats,
                floor_ratio=1.0 if name == FLOOR else statistics.median(
                    sample["times"]) / statistics.median(sample["floors"]),
            )
    for _, _, engine in sites:
        engine.dispose()
    return results


def measure_in_subprocess(urls, repeats):
    """Run measure_pages in a fresh interpreter so presets do not share caches."""
    result = subprocess.run(
        [sys.executable, __file__, "--repeat", str(repeats), "--measure", *urls],
        cwd=ROOT, capture_output=True, text=True,
    )
    if result.returncode:
        sys.exit(f"measuring {urls} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# ---- gunicorn throughput -----------------------------------------------------------
def free_port(preferred):
    """Return the preferred port if free, else any free port on 127.0.0.1."""
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError("no free port")


def http_get(port, path, cookie=None, method="GET", body=None, headers=None):
    """Make one request to 127.0.0.1; return (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    all_headers = dict(headers or {})
    if cookie:
        all_headers["Cookie"] = cookie
    conn.request(method, path, body=body, headers=all_headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, response.getheaders(), data


def sign_in(port):
    """Sign in as quantri through the real form (with its CSRF token); return cookie."""
    status, headers, body = http_get(port, "/login")
    cookie = "; ".join(v.split(";")[0] for k, v in headers if k.lower() == "set-cookie")
    token = re.search(
        rb'name="csrf_token" type="hidden" value="([^"]+)"', body
    ) or re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body)
    form = urllib.parse.urlencode(
        {
            "username": "quantri",
            "password": "demo",
            "csrf_token": token.group(1).decode() if token else "",
        }
    )
    status, headers, body = http_get(
        port,
        "/login",
        cookie,
        "POST",
        form,
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    if status != 302:
        raise RuntimeError(f"signing in to gunicorn failed ({status})")
    jar = {}

    def keep(headers):
        for name, value in headers:
            if name.lower() == "set-cookie":
                key, _, rest = value.split(";")[0].partition("=")
                if key in ("session", "remember_token"):
                    jar[key] = rest

    keep(headers)
    # Follow the landing as a browser does, keeping the cookies it sets: the sign-in
    # may flash a message (the demo's password is weak), and a session holding one
    # is never served from the page cache until a page has shown it.
    location = dict((k.lower(), v) for k, v in headers).get("location", "/")
    for _ in range(5):
        path = urllib.parse.urlsplit(location).path or "/"
        status, headers, _body = http_get(
            port, path, "; ".join(f"{k}={v}" for k, v in jar.items()))
        keep(headers)
        if status not in (301, 302, 303, 307, 308):
            break
        location = dict((k.lower(), v) for k, v in headers).get("location", "/")
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def load_wrk(port, path, cookie, seconds, connections):
    """Drive the route with wrk; return (requests per second, errors)."""
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        f"http://127.0.0.1:{port}{path}",
    ]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 30
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return (
        rate,
        int(errors.group(1)) if errors else 0,
        (socket_errors.group(1) if socket_errors else ""),
    )


def load_threads(port, path, cookie, seconds, connections):
    """Drive the route with keep-alive http.client threads; return (rate, errors)."""
    deadline = time.perf_counter() + seconds
    counts = [0] * connections
    errors = [0] * connections

    def worker(index):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Cookie": cookie} if cookie else {}
        while time.perf_counter() < deadline:
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors[index] += 1
                counts[index] += 1
            except (http.client.HTTPException, OSError):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - started), sum(errors), ""


def measure_throughput(url, seconds, connections):
    """Serve the app with gunicorn and measure requests/second per route."""
    from sqlalchemy import create_engine, text

    from tracker.config import normalise_database_url

    engine = create_engine(normalise_database_url(url))
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT year, number FROM quarter"
                " ORDER BY year DESC, number DESC LIMIT 1"
            )
        ).one()
    engine.dispose()
    key = f"{row[0]}-Q{row[1]}"
    use_wrk = shutil.which("wrk") is not None
    results = {
        "generator": "wrk" if use_wrk else "threads",
        "workers": _workers(),
        "connections": connections,
        "seconds": seconds,
    }
    # As deployed (the page cache on), then the board once more with it off.
    results.update(_serve_and_load(url, {}, (
        ("/healthz", "/healthz", False),
        ("Board", f"/quarters/{key}/", True),
        ("Summary", f"/quarters/{key}/summary", True),
    ), seconds, connections, use_wrk))
    # What the board costs right after a write, on the two workers `make serve`
    # is measured with (WEB_CONCURRENCY=2), whatever the machine's CPUs.
    results.update(_serve_and_load(url, {"TRACKER_PAGE_CACHE": "false",
                                         "WEB_CONCURRENCY": "2"}, (
        (OFF, f"/quarters/{key}/", True),
    ), seconds, connections, use_wrk))
    return results


def _serve_and_load(url, settings, routes, seconds, connections, use_wrk):
    """Start gunicorn with the settings, load each route; return {name: figures}."""
    port = free_port(PORT)
    env = dict(
        os.environ,
        TRACKER_DATABASE_URL=url,
        TRACKER_SECRET_KEY=SECRET,
        TRACKER_TODAY=TODAY,
        TRACKER_BIND=f"127.0.0.1:{port}",
        **settings,
    )
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    server = subprocess.Popen(
        [gunicorn, "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(100):
            try:
                if http_get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        cookie = sign_in(port)
        load = load_wrk if use_wrk else load_threads
        results = {}
        for name, path, signed_in in routes:
            route_cookie = cookie if signed_in else None
            status = http_get(port, path, route_cookie)[0]
            if status != 200:
                raise RuntimeError(f"{path} answered {status} under gunicorn")
            load(port, path, route_cookie, 1, connections)  # warm every worker
            rate, errors, socket_errors = load(
                port, path, route_cookie, seconds, connections
            )
            results[name] = dict(
                path=path, rps=rate, errors=errors, socket_errors=socket_errors
            )
        return results
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def _workers():
    namespace = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), namespace)
    return namespace["workers"]


# ---- reporting ----------------------------------------------------------------------
def fmt(value, digits=1):
    """Format a number for the table."""
    if value is None:
        return "—"
    if value >= 100:
        return f"{value:.0f}"
    return f"{value:.{digits}f}"


def ratio(a, b):
    """Return a / b, or None."""
    return a / b if a is not None and b else None


def markdown(results, meta):
    """Return the results as Markdown."""
    lines = [
        "# Benchmark results",
        "",
        f"Made by `make bench` (`python bench/run.py {meta['args']}`) on "
        f"{meta['date']}: {meta['machine']}. \"Today\" is pinned to {TODAY}, so the "
        "newest quarter (the one measured) is open and half way through.",
        "",
        "**The machine is a small virtual one whose speed varies from minute to "
        "minute: figures are medians and still noisy** (compare ratios within one "
        "run rather than absolute times across runs; the p95 column shows the "
        "spread).",
        "",
        "Each page is requested in-process through the Flask test client, signed in "
        "as an administrator, after two warm-up requests, with what the app loaded "
        "frozen for the garbage collector and its thresholds raised, as each gunicorn "
        "worker has them (`post_worker_init` in gunicorn.conf.py). *ms* is the median (p95 at "
        "40 quarters alongside) over the stated number of requests; *×* is the figure "
        "at 40 quarters of history divided by the same at 1 quarter; *CPU ms* is the "
        "median CPU time of this process per request (what the page costs on an idle "
        "machine; on PostgreSQL it leaves out the server's own work); *stmts* counts "
        "SQL statements per request; *peak MB* is tracemalloc's peak during one "
        "request; *× floor* is the page's median at 1 quarter divided by the median "
        "of the floor measured beside it: the least a page of the quarter's tasks "
        "can cost (one query for the tasks with their lead unit, one for their unit "
        "links, and the stdlib csv writer over those rows), requested on the same "
        "database right after the page's own requests (after up to 15 of them, "
        "spread over its run), so that both are measured in the same moments.",
        "",
        "The 1-quarter database of a preset is its 40-quarter database with the 39 "
        "earlier quarters deleted, so both hold the very same newest quarter, task for "
        "task, and the ratio measures what the archive costs. Pages whose content "
        "grows with history by design say so in the notes below the tables.",
        "",
    ]
    engines = [e for e in ("sqlite", "postgresql") if e in results]
    titles = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    for preset in PRESET_ORDER:
        if not any(preset in results[e] for e in engines):
            continue
        from tracker.generate import PRESETS

        sizes = PRESETS[preset]
        lines += [
            f"## {preset.capitalize()} preset ({sizes['tasks_per_quarter']:,} tasks a "
            f"quarter, {sizes['units']:,} units)",
            "",
        ]
        header = ["page"]
        for engine in engines:
            t = titles[engine]
            header += [
                f"{t} ms 1q → 40q (×)",
                f"{t} CPU ms 1q → 40q (×)",
                f"{t} p95 40q",
                f"{t} stmts 1q → 40q",
                f"{t} peak MB 1q → 40q",
                f"{t} × floor 1q",
            ]
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        names = []
        for engine in engines:
            for history in results[engine].get(preset, {}).values():
                names += [n for n in history if n not in names]
        for name in names:
            cells = [name]
            for engine in engines:
                runs = results[engine].get(preset, {})
                one = runs.get("1", {}).get(name)
                many = runs.get("40", {}).get(name)
                if not one or not many:
                    cells += ["—"] * 6
                    continue
                cells += [
                    f"{fmt(one['median_ms'])} → {fmt(many['median_ms'])} "
                    f"({fmt(ratio(many['median_ms'], one['median_ms']), 2)}×)",
                    f"{fmt(one['cpu_ms'])} → {fmt(many['cpu_ms'])} "
                    f"({fmt(ratio(many['cpu_ms'], one['cpu_ms']), 2)}×)",
                    fmt(many["p95_ms"]),
                    f"{one['statements']} → {many['statements']}",
                    f"{fmt(one['peak_mb'])} → {fmt(many['peak_mb'])}",
                    fmt(one.get("floor_ratio"), 2),
                ]
            lines.append("| " + " | ".join(cells) + " |")
        repeats = [
            page["repeats"]
            for e in engines if preset in results[e]
            for page in results[e][preset]["40"].values()
        ]
        lines += [
            "",
            f"Requests per page and database: {min(repeats)} for the slowest pages; "
            f"quicker ones are asked again for about {SAMPLE_SECONDS:g} s, up to "
            f"{max(repeats)} times.",
            "",
        ]
    serve = {
        e: results[e].get("throughput") for e in engines if results[e].get("throughput")
    }
    if serve:
        lines += [
            "## Throughput under gunicorn",
            "",
            "The app served by gunicorn (`gunicorn.conf.py`, as `make serve` runs "
            "it) on 127.0.0.1, driven by a bounded load generator with a session "
            "cookie from a real sign-in. *ratio* is the route's requests/second "
            "divided by that of `/healthz` (no session, no database) on the same "
            "stack.",
            "",
            "| database | preset | route | requests/s | ratio to /healthz | errors |",
            "|---|---|---|---|---|---|",
        ]
        for engine, runs in serve.items():
            for preset, run in runs.items():
                base = run["/healthz"]["rps"]
                for route in THROUGHPUT_ROUTES:
                    item = run.get(route)
                    if item is None:
                        continue
                    lines.append(
                        f"| {titles[engine]} | {preset} 40q | {route} "
                        f"(`{item['path']}`) | {fmt(item['rps'])} | "
                        f"{fmt(ratio(item['rps'], base), 2)} | {item['errors']} |"
                    )
        first = next(iter(next(iter(serve.values())).values()))
        lines += [
            "",
            f"Load: {first['generator']}, {first['connections']} "
            f"connections, {first['seconds']} s per route; gunicorn "
            f"{first['workers']} sync workers.",
            "",
        ]
    lines += [
        "## Notes on the pages",
        "",
        "- *Board*, and every page but one: built from the database, the page "
        "cache off. *Board (page cache)*: the same board asked again by the same "
        "person with the page cache on (as deployed), served from it: one "
        "statement (the signed-in user with the data token) and a cache lookup. "
        "Any write to the database replaces the token, so the next request builds "
        "the page again (`tracker/page_cache.py`).",
        "- *Quarter list*: lists a page of quarters — one row at 1 quarter of "
        "history, twelve (a full page) at 40. Closed quarters give the counts stored "
        "when they closed, so only the open quarter's tasks are counted in both "
        "databases.",
        "- *Summary*: at 40 quarters it also compares with the previous quarter and "
        "the same quarter a year earlier, and draws eight quarters of trend; those are "
        "read from the counts stored with each closed quarter, never from the "
        "earlier quarters' tasks.",
        "- *Units list*, *Unit page*: count or list one quarter (the current one by "
        "default); their quarter picker lists every quarter (40 options at 40).",
        "- *Task page*: the same task in both databases (the shared task with the "
        "number of units closest to ten); at 40 quarters it also links to the task "
        "it was carried from, which costs one more statement: the whole chain it was "
        "carried along is read in one, whatever its length.",
        "- *Board ?q=* searches `dan van`; *Board ?unit=* filters on the Hội Nông dân "
        "(HND).",
        "- The exports (`report.docx`, `report.xlsx`, `tasks.csv`) are measured when "
        "their routes exist in the application; a page missing from the tables had "
        "no route when this ran.",
        "- *Throughput*: `/healthz` costs about 0.2 ms inside the app, so its rate is "
        "the stack's own ceiling (gunicorn sync workers, the socket, WSGI). *Board* "
        "is served as deployed: the load generator repeats one person's request, so "
        "after the first request per worker the page comes from the page cache. "
        "*Board (page cache off, 2 workers)* is a second server with "
        "TRACKER_PAGE_CACHE=false and WEB_CONCURRENCY=2, building every request "
        "from the database: what the board costs right after a write. *Summary* is served as deployed too (the page cache keeps "
        "it per person like the board).",
        "",
    ]
    lines += targets(results, titles)
    return "\n".join(lines) + "\n"


def targets(results, titles):
    """Return the Markdown lines checking the issue's targets."""
    lines = [
        "## Targets",
        "",
        "| target | database | measured | met |",
        "|---|---|---|---|",
    ]

    def row(target, engine, measured, met):
        lines.append(
            f"| {target} | {titles[engine]} | {measured} | "
            f"{'yes' if met else '**no**'} |"
        )

    for engine, runs in results.items():
        for preset, limit in (("province", 100), ("district", 15)):
            run = runs.get(preset, {}).get("40")
            if not run:
                continue
            for page in ("Board", "Summary"):
                value = run[page]["median_ms"]
                row(
                    f"{preset} {page.lower()} median < {limit} ms (40q)",
                    engine,
                    f"{fmt(value)} ms",
                    value < limit,
                )
        worst = {"median_ms": [], "cpu_ms": []}
        for preset, histories in runs.items():
            if preset == "throughput" or "1" not in histories or "40" not in histories:
                continue
            for name, many in histories["40"].items():
                one = histories["1"].get(name)
                if not one or name == "/healthz":
                    continue
                if name == FLOOR:
                    # Not a page: the yardstick, read the way the issue states it.
                    # Its links are chosen by a subquery, which PostgreSQL answers
                    # at 40 quarters by hashing every quarter's links (EXPLAIN
                    # ANALYZE: 17 ms of 155,000 rows), as the pages do not
                    # (tracker.tasks.rows.of_tasks and among).
                    continue
                for figure, items in worst.items():
                    items.append((many[figure] / one[figure], preset, name))
                if many["statements"] == one["statements"]:
                    continue
                # The task page of a task carried from an earlier one reads that
                # chain, in one statement whatever its length (see CHAINED).
                chained = (name in CHAINED
                           and many["statements"] == one["statements"] + 1)
                row(f"statements flat: {preset} {name}", engine,
                    f"{one['statements']} → {many['statements']}"
                    + (f" ({CHAINED[name]})" if chained else ""), chained)
        for figure, label in (("median_ms", "median time"), ("cpu_ms", "CPU time")):
            if not worst[figure]:
                continue
            over = sorted(item for item in worst[figure] if item[0] > 1.2)
            text = (", ".join(f"{p} {n} {r:.2f}×" for r, p, n in over)
                    or f"worst {max(worst[figure])[0]:.2f}×")
            row(f"{label} at 40q within 1.2× of 1q, every page", engine, text,
                not over)
        for preset, run in (runs.get("throughput") or {}).items():
            if preset == "province" and OFF in run:
                value = run[OFF]["rps"]
                row(f"province board, page cache off, ≥ {UNCACHED_GOAL} requests/s "
                    "on 2 workers (40q)", engine, f"{value:.0f}/s",
                    value >= UNCACHED_GOAL)
            value = ratio(run["Board"]["rps"], run["/healthz"]["rps"])
            if preset == "district":
                row(
                    "district board throughput ≥ 1/3 of /healthz",
                    engine,
                    f"{value:.2f}",
                    value >= 1 / 3,
                )
        one = runs.get("province", {}).get("1", {})
        for name, goal in (("Board", 1.5), ("Summary", 1.5), ("Tasks .csv", 2),
                           ("Workbook .xlsx", 8), ("Report .docx", 12)):
            value = one.get(name, {}).get("floor_ratio")
            if value is not None:
                row(f"province {name} ≤ {goal:g}× the floor (1q, page cache off)",
                    engine, f"{value:.2f}×", value <= goal)
        for preset in ("province",):
            run = runs.get(preset, {}).get("40", {})
            for name in ("Report .docx", "Workbook .xlsx"):
                if name in run:
                    value = run[name]["median_ms"]
                    row(
                        f"{preset} {name} < 2 s",
                        engine,
                        f"{fmt(value)} ms",
                        value < 2000,
                    )
    return lines + [""]


def print_table(engine, preset, history, figures):
    """Print one run's figures to stdout."""
    print(f"\n{engine} · {preset} · {history} quarter(s) of history")
    print(f"{'page':16s} {'median ms':>10s} {'CPU ms':>7s} {'p95 ms':>8s} "
          f"{'stmts':>6s} {'peak MB':>8s} {'× floor':>8s}")
    for name, item in figures.items():
        ratio_ = item.get("floor_ratio")
        print(
            f"{name:16s} {item['median_ms']:10.1f} {item['cpu_ms']:7.1f} "
            f"{item['p95_ms']:8.1f} {item['statements']:6d} {item['peak_mb']:8.1f} "
            f"{'' if ratio_ is None else f'{ratio_:.2f}':>8s}"
        )


def machine():
    """Describe the machine and software versions."""
    import sqlalchemy

    cpus = (
        len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count()
    )
    return (
        f"{cpus} CPU cores, Python {platform.python_version()}, SQLAlchemy "
        f"{sqlalchemy.__version__}, SQLite {sqlite3.sqlite_version}"
    )


def pg_version(url):
    """Return the PostgreSQL server version string."""
    from sqlalchemy import create_engine, text

    from tracker.config import normalise_database_url

    engine = create_engine(normalise_database_url(url))
    with engine.connect() as conn:
        version = conn.scalar(text("SHOW server_version"))
    engine.dispose()
    return version


def main():
    """Parse the arguments, run the benchmark, write the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--presets",
        default="district,province",
        help="comma-separated: district, province, national",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="few requests per page, district only unless --presets",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("TEST_DATABASE_URL"),
        help="a PostgreSQL database to run on as well (default: "
        "TEST_DATABASE_URL); only bench_* schemas in it are touched",
    )
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--repeat", type=int, help="requests per page (overrides)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="generate the databases again even if unchanged",
    )
    parser.add_argument(
        "--no-serve",
        action="store_true",
        help="skip the gunicorn throughput measurement",
    )
    parser.add_argument("--serve-seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--output", default=str(ROOT / "bench" / "RESULTS.md"))
    parser.add_argument("--measure", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--build-one", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--from-json", metavar="FILE",
                        help="only write the Markdown again from a saved latest.json")
    args = parser.parse_args()

    if args.build_one:
        url, preset, history = args.build_one
        build_one(url, preset, int(history), args.seed)
        return
    if args.from_json:
        saved = json.loads(Path(args.from_json).read_text())
        Path(args.output).write_text(markdown(saved["results"], saved["meta"]))
        print(f"wrote {args.output}")
        return
    if args.measure:
        print(json.dumps(measure_pages(args.measure, args.repeat or 5)))
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    presets = args.presets.split(",")
    if args.quick and "--presets" not in " ".join(sys.argv):
        presets = ["district"]
    unknown = set(presets) - set(PRESET_ORDER)
    if unknown:
        parser.error(f"unknown preset(s): {', '.join(sorted(unknown))}")
    engines = ["sqlite"]
    if args.database_url and not args.sqlite_only:
        engines.append("postgresql")
    started = time.perf_counter()
    results = {}
    for engine in engines:
        results[engine] = {}
        for preset in [p for p in PRESET_ORDER if p in presets]:
            repeats = args.repeat or (QUICK_REPEATS if args.quick else REPEATS)[preset]
            urls = [build(engine, args.database_url, preset, history, args.seed,
                          args.rebuild) for history in HISTORIES]
            measured = measure_in_subprocess(urls, repeats)
            for history, figures in zip(HISTORIES, measured):
                results[engine].setdefault(preset, {})[str(history)] = figures
                print_table(engine, preset, history, figures)
        if not args.no_serve:
            results[engine]["throughput"] = {}
            for preset in [p for p in ("district", "province") if p in presets]:
                url = build(engine, args.database_url, preset, 40, args.seed, False)
                run = measure_throughput(url, args.serve_seconds, args.connections)
                results[engine]["throughput"][preset] = run
                base = run["/healthz"]["rps"]
                print(
                    f"\n{engine} · {preset} 40q under gunicorn ({run['generator']}): "
                    + ", ".join(
                        f"{name} {run[name]['rps']:.0f}/s "
                        f"({run[name]['rps'] / base:.2f})"
                        for name in THROUGHPUT_ROUTES if name in run
                    )
                )
    info = machine()
    if "postgresql" in engines:
        info += f", PostgreSQL {pg_version(args.database_url)}"
    meta = dict(
        date=dt.date.today().isoformat(),
        machine=info,
        args=" ".join(sys.argv[1:]) or "(defaults)",
    )
    text = markdown(results, meta)
    (RESULTS / "latest.json").write_text(
        json.dumps(dict(meta=meta, results=results), indent=1)
    )
    Path(args.output).write_text(text)
    print(
        "\n"
        + "\n".join(targets(results, {"sqlite": "SQLite", "postgresql": "PostgreSQL"}))
    )
    print(f"wrote {args.output} in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()

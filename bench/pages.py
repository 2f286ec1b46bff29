"""In-process measurement: every page of a database's newest quarter through the
Flask test client, each beside the floor (what the least page of its tasks costs)."""
import json
import statistics
import subprocess
import sys
import time
import tracemalloc

from common import (
    CACHED_PAGES, EXPORTS, FLOOR_SAMPLES, MAX_REPEATS, ROOT, RUN, SAMPLE_SECONDS,
    SECRET, TODAY, WARM_UP,
)


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
        [sys.executable, str(RUN), "--repeat", str(repeats), "--measure", *urls],
        cwd=ROOT, capture_output=True, text=True,
    )
    if result.returncode:
        sys.exit(f"measuring {urls} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])

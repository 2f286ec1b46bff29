"""The bench's databases: generated once per preset, size and seed (tracker.generate),
kept in bench/results/ (SQLite) or a bench_* schema (PostgreSQL) and reused while what
they depend on is unchanged."""
import hashlib
import inspect
import json
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from common import HISTORIES, RESULTS, ROOT, RUN, TODAY


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
        [sys.executable, str(RUN), "--build-one", url, preset, str(quarters),
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

"""Measure a province's roll-up of its district boards as the districts grow.

    python bench/rollup.py [--districts 2,5,10] [--tasks-per-quarter 100]
                           [--database-url postgresql://…]   (or TEST_DATABASE_URL)

For each number of districts it generates a fresh database with the generator's
province-boards preset (the province's own board, the districts below it, each with
the tasks a quarter given, four quarters), signs in as the province's leader and
requests the newest quarter's summary, figures.json and workbook with the page cache
off. It prints, per page, the SQL statements of one request and the median time of
several: the statements must not grow with the number of districts.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TODAY = "2025-05-15"
REPEATS = 5


def _database(base_url, directory):
    """Return (url, cleanup) of an empty database: a SQLite file or a PG schema."""
    if not base_url:
        return f"sqlite:///{directory}/rollup-{uuid.uuid4().hex[:8]}.sqlite", None
    from sqlalchemy import create_engine, text

    schema = f"bench_rollup_{uuid.uuid4().hex[:8]}"
    engine = create_engine(base_url)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))

    def drop():
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()

    joiner = "&" if "?" in base_url else "?"
    return f"{base_url}{joiner}options=-csearch_path%3D{schema}", drop


def measure(url, districts, tasks_per_quarter):
    import datetime as dt

    import flask_migrate
    from sqlalchemy import event

    from tracker import create_app
    from tracker.extensions import db
    from tracker.generate import generate, resolve_sizes

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TODAY": TODAY,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "PAGE_CACHE": False})
    with app.app_context():
        flask_migrate.upgrade()
        sizes = resolve_sizes("province-boards", quarters=4,
                              tasks_per_quarter=tasks_per_quarter, districts=districts)
        generate(sizes, dt.date.fromisoformat(TODAY))
        engine = db.engine
    client = app.test_client()
    response = client.post("/login", data={"username": "lanhdao", "password": "demo"})
    assert response.status_code == 302, "signing in failed"
    statements = []
    event.listen(engine, "before_cursor_execute",
                 lambda *args, **kwargs: statements.append(1))
    pages = {"Summary": "/quarters/2025-Q2/summary",
             "figures.json": "/quarters/2025-Q2/figures.json",
             "Workbook .xlsx": "/quarters/2025-Q2/report.xlsx"}
    results = {}
    for name, path in pages.items():
        times = []
        for _ in range(REPEATS):
            statements.clear()
            started = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, (path, response.status_code)
        results[name] = (len(statements), statistics.median(times) * 1000)
    return sizes.total_tasks // 4, results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--districts", default="2,5,10")
    parser.add_argument("--tasks-per-quarter", type=int, default=100)
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"))
    args = parser.parse_args()
    engines = [("SQLite", None)]
    if args.database_url:
        engines.append(("PostgreSQL", args.database_url))
    print("| database | districts | tasks in the quarter | page | statements | "
          "median ms |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as directory:
        for title, base in engines:
            for districts in (int(n) for n in args.districts.split(",")):
                url, drop = _database(base, directory)
                try:
                    tasks, results = measure(url, districts, args.tasks_per_quarter)
                finally:
                    if drop:
                        drop()
                for page, (count, ms) in results.items():
                    print(f"| {title} | {districts} | {tasks:,} | {page} | {count} | "
                          f"{ms:.1f} |", flush=True)


if __name__ == "__main__":
    main()

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

This script parses the arguments and runs the rest: databases.py builds and keeps the
databases, pages.py measures the pages in-process, throughput.py under gunicorn,
report.py writes the tables; common.py holds what they share.
"""

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

from common import (
    HISTORIES, PRESET_ORDER, QUICK_REPEATS, REPEATS, RESULTS, ROOT, THROUGHPUT_ROUTES,
)
from databases import build, build_one
from pages import measure_in_subprocess, measure_pages
from report import (
    cpu_per_request, machine, markdown, pg_version, print_table, targets,
)
from throughput import measure_throughput


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
                        + cpu_per_request(run[name])
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

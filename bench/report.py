"""The results as tables: printed as they come, then bench/RESULTS.md with the
targets."""
import os
import platform
import sqlite3

from common import (
    CHAINED, OFF, PRESET_ORDER, SAMPLE_SECONDS, THROUGHPUT_ROUTES, TODAY,
    UNCACHED_GOAL,
)
from pages import FLOOR


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


def cpu_per_request(item):
    """Return " (CPU a request: app … ms + database … ms)", or "" if none was read.

    On a machine the load keeps busy, these make the rate: its CPUs' seconds
    divided by their sum (and the load generator's own, a fraction of a ms).
    """
    parts = [f"{name} {item[key]:.1f} ms" for name, key in
             (("app", "app_cpu_ms"), ("database", "database_cpu_ms")) if key in item]
    return f" (CPU a request: {' + '.join(parts)})" if parts else ""


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
            "stack. *app CPU* is the CPU time gunicorn's processes spent per request "
            "during the run, *database CPU* the PostgreSQL server's (its processes "
            "on this host), both read from /proc.",
            "",
            "| database | preset | route | requests/s | ratio to /healthz | "
            "app CPU ms/request | database CPU ms/request | errors |",
            "|---|---|---|---|---|---|---|---|",
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
                        f"{fmt(ratio(item['rps'], base), 2)} | "
                        f"{fmt(item.get('app_cpu_ms'), 1)} | "
                        f"{fmt(item.get('database_cpu_ms'), 1)} | {item['errors']} |"
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
                    "on 2 workers (40q)", engine,
                    f"{value:.0f}/s" + cpu_per_request(run[OFF]),
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

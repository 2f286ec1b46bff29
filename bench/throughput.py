"""Requests per second under gunicorn, driven by wrk (or threads when wrk is absent),
against /healthz on the same stack."""
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

from common import OFF, PORT, ROOT, SECRET, TODAY


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
    """Drive the route with wrk; return (requests per second, requests, errors,
    socket errors)."""
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
    count = int(re.search(r"(\d+) requests in", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return (
        rate,
        count,
        int(errors.group(1)) if errors else 0,
        (socket_errors.group(1) if socket_errors else ""),
    )


def load_threads(port, path, cookie, seconds, connections):
    """Drive the route with keep-alive http.client threads; return (rate, requests,
    errors, socket errors)."""
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
    return (sum(counts) / (time.perf_counter() - started), sum(counts), sum(errors),
            "")


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
    database = "postgres" if url.startswith("postgresql") else None
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
            before = cpu_seconds(server.pid, database)
            rate, count, errors, socket_errors = load(
                port, path, route_cookie, seconds, connections
            )
            after = cpu_seconds(server.pid, database)
            results[name] = dict(
                path=path, rps=rate, errors=errors, socket_errors=socket_errors,
                **{f"{part}_cpu_ms": (after[part] - before[part]) * 1000 / count
                   for part in after if count and part in before},
            )
        return results
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def cpu_seconds(server_pid, database=None):
    """Return {"app": CPU seconds of gunicorn, "database": of the database server}.

    Read from /proc (Linux): the app's is the master's and its workers' (a worker
    recycled meanwhile is counted in its master's, once reaped); the database's is
    every process of its server on this host ("postgres: ..." processes), left out
    when there is no server or none is visible. What a route costs the machine is
    their difference over its run divided by its requests: on a machine of n CPUs
    that the load keeps busy, n seconds divided by that is the most it can serve.
    """
    proc = Path("/proc")
    if not proc.is_dir():
        return {}
    ticks = os.sysconf("SC_CLK_TCK")
    app = database_seconds = 0.0
    found = False
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().split(b"\0", 1)[0]
        except OSError:  # gone meanwhile
            continue
        pid, parent = int(entry.name), int(fields[1])
        own = int(fields[11]) + int(fields[12])
        if pid == server_pid:
            # With its reaped children's (fields 16 and 17: cutime, cstime).
            app += (own + int(fields[13]) + int(fields[14])) / ticks
        elif parent == server_pid:
            app += own / ticks
        elif database and command.startswith(database.encode() + b":"):
            database_seconds += own / ticks
            found = True
    result = {"app": app}
    if found:
        result["database"] = database_seconds
    return result


def _workers():
    namespace = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), namespace)
    return namespace["workers"]

"""Gunicorn settings for `make serve` and any `gunicorn wsgi:app` started from here.

Environment: TRACKER_BIND (default 127.0.0.1:8000), WEB_CONCURRENCY (the number of
worker processes; default two per CPU plus one), and the app's own TRACKER_* settings.
"""
import os


def _cpus():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


bind = os.environ.get("TRACKER_BIND", "127.0.0.1:8000")
# Sync workers: the reverse proxy buffers slow clients, and each request is short.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * _cpus() + 1)
worker_class = "sync"
timeout = 60
graceful_timeout = 30
# Recycle workers now and then so slow memory growth never accumulates.
max_requests = 2000
max_requests_jitter = 200
# Trust X-Forwarded-* only from a proxy on this host.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
errorlog = "-"


# The garbage collector's thresholds. Python's default (700, 10, 10) starts a young
# collection each time 700 more objects have been made than freed. A province's
# summary keeps some 20,000 alive until it is written: at 700 each request set off
# about 24 young and 2 middle collections, which walk what the request has kept,
# about 5 ms of a 60 ms summary, 6 of the workbook and 17 of the .docx. At 20,000
# one request in two or fewer sets one off (1.4, 0.6 and 12 ms a request). Larger
# is not better: what requests leave in reference cycles then waits longer to be
# freed; after 300 mixed requests a worker held 187 MB at 700, 175 MB at 20,000
# and 232 MB at 50,000.
GC_THRESHOLDS = (20_000, 10, 10)


def post_worker_init(worker):
    """Freeze what the worker has loaded: the app, its modules, settings and catalogs;
    then let the collector wait longer between passes (GC_THRESHOLDS).

    The garbage collector's full passes then leave those objects out. A province's
    summary makes tens of thousands of objects per request, and the full passes they
    set off walked the whole app each time: in-process its slowest twentieth took
    about 200 ms (median 70), about 90 ms with the app frozen.
    """
    import gc

    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)

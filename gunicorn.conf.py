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


def post_worker_init(worker):
    """Freeze what the worker has loaded: the app, its modules, settings and catalogs.

    The garbage collector's full passes then leave those objects out. A province's
    summary makes tens of thousands of objects per request, and the full passes they
    set off walked the whole app each time: in-process its slowest twentieth took
    about 200 ms (median 70), about 90 ms with the app frozen.
    """
    import gc

    gc.freeze()

"""gunicorn's settings for FundTracker in production (issue #22): `gunicorn -c
deploy/gunicorn.conf.py`. Each value can be changed from the environment file
(deploy/fundtracker.env.example) without editing this one.

Sync workers: the app's work is short database-bound requests; large downloads are handed to
nginx (X-Accel-Redirect) and reports are built by the scheduler, so no request holds a worker
for long. Two workers per core, plus one, keep the cores busy while others wait on PostgreSQL."""

import multiprocessing
import os

wsgi_app = "wsgi:app"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A request longer than this is stuck (the slowest page, a large import's preview, takes a few
# seconds): the worker is killed and replaced, the client gets nginx's 502.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycle a worker now and then, so that memory a request left behind is given back.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Request line and headers: the same limits as nginx's defaults; bodies are limited by nginx
# (client_max_body_size) and by the app (MAX_CONTENT_LENGTH).
limit_request_line = 8190
limit_request_fields = 100
# The access log, with nginx's request id (X-Request-Id) and the time taken in microseconds.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(D)sus "%(a)s" request_id=%({x-request-id}i)s'
# The app reads X-Forwarded-For itself (ProxyFix with TRUSTED_PROXIES); gunicorn trusts no one.
forwarded_allow_ips = ""
proxy_allow_ips = ""


# Metrics (fundtracker.core.observability): with PROMETHEUS_MULTIPROC_DIR set, each worker
# writes its figures there and /metrics adds them up. The folder is this instance's own
# (systemd's RuntimeDirectory): emptied when gunicorn starts, a dead worker's figures marked.


def on_starting(server):
    from fundtracker.core.observability import clear_multiprocess_dir

    clear_multiprocess_dir()


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)

"""The web server of `manage.py serve` with one web process (the default, OMNI_WEB_WORKERS=1):
Django's WSGI application served by waitress's threads in this one process. gunicorn would add a
master process (about 26 MB) that only watches its single worker, which core/supervisor.py does
already; several web processes still go through gunicorn (gunicorn.conf.py).

    python -m core.webserver --bind 127.0.0.1:8000 --threads 8

Before it listens it does what gunicorn.conf.py's hooks do: claims the web server's Prometheus
folder unless serve has claimed one for the whole tree, loads every view, and tells the
supervisor it answers (core.supervisor.report_ready). It logs each response in the combined
access-log format (logger `omnireadarr.access`, level INFO) and stops on SIGTERM as on Ctrl-C.

Forwarded headers: waitress is told of no trusted proxy, so it rewrites nothing (the scheme stays
http, REMOTE_ADDR is the peer), and unlike its default it passes X-Forwarded-* and Forwarded on
untouched: Django decides whether to believe them (OMNI_TRUSTED_PROXY: SECURE_PROXY_SSL_HEADER,
the API rate limit's client address), as it did behind gunicorn.

Large files: Django hands a FileResponse's open file to waitress's wsgi.file_wrapper, which sends
it from the file one send buffer at a time; other bodies (a byte range, a stream) wait in a
buffer of the connection that moves to a temporary file past 1 MB and makes the request's thread
wait past 16 MB (waitress's outbuf_overflow and outbuf_high_watermark), so no file is read whole.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
from collections.abc import Callable, Iterable
from typing import Any

ACCESS_LOG = logging.getLogger("omnireadarr.access")
log = logging.getLogger("core.webserver")  # not "__main__" when run with -m

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


def server_options(bind: str, threads: int) -> dict[str, Any]:
    """waitress's settings: where to listen (`host:port`, or `unix:/path` as gunicorn takes it)
    and how many request threads; proxy headers reach Django as sent (see the module's text)."""
    where = {"unix_socket": bind.removeprefix("unix:")} if bind.startswith("unix:") else {"listen": bind}
    return {**where, "threads": threads, "trusted_proxy": None, "clear_untrusted_proxy_headers": False}


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in headers if key.lower() == name), None)


def access_line(environ: dict, status: str, headers: list[tuple[str, str]]) -> str:
    """gunicorn's default access-log line without its ident, user and time fields (the log record
    has a time): `peer "request line" status bytes "referer" "user agent"`."""
    request = " ".join(environ.get(key, "-") for key in ("REQUEST_METHOD", "REQUEST_URI", "SERVER_PROTOCOL"))
    size = _header(headers, "content-length") or "-"
    referer, agent = environ.get("HTTP_REFERER", "-"), environ.get("HTTP_USER_AGENT", "-")
    return f'{environ.get("REMOTE_ADDR", "-")} "{request}" {status.split(" ", 1)[0]} {size} "{referer}" "{agent}"'


def with_access_log(app: WSGIApp) -> WSGIApp:
    """Logs each response when it starts (status and headers known), under the request's
    correlation id. The body is left as the application returned it, so an open file still
    reaches waitress's file_wrapper instead of being copied through a wrapper."""
    from core.logging import correlation

    def logged(environ: dict, start_response: Callable) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
            if ACCESS_LOG.isEnabledFor(logging.INFO):
                with correlation(_header(headers, "x-request-id") or "-"):
                    ACCESS_LOG.info(access_line(environ, status, headers))
            return start_response(status, headers, exc_info)

        return app(environ, start)

    return logged


def load_application() -> WSGIApp:
    """Django set up, the metrics folder claimed first (prometheus-client reads it when first
    imported), and every URL pattern and view imported now rather than during the first request."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnireadarr.settings")
    from django.conf import settings

    from core.metrics_files import claim_folder

    claim_folder(settings.METRICS_DIR, "web")  # nothing when serve claimed one for the tree
    from django.core.wsgi import get_wsgi_application
    from django.urls import get_resolver

    application = get_wsgi_application()
    get_resolver().url_patterns  # noqa: B018  (imports the URL configuration)
    return application


def create(app: WSGIApp, *, bind: str, threads: int) -> Any:
    """A waitress server listening already (not yet serving): run() serves until SIGINT/SIGTERM."""
    from waitress.server import create_server

    return create_server(with_access_log(app), **server_options(bind, threads))


def _exit(*_: object) -> None:
    raise SystemExit(0)  # waitress's run() catches it as it does Ctrl-C, and stops its threads


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve OmniReadarr's web app from this one process.")
    parser.add_argument("--bind", required=True, help="host:port, or unix:/path")
    parser.add_argument("--threads", type=int, required=True)
    args = parser.parse_args(argv)
    server = create(load_application(), bind=args.bind, threads=args.threads)
    signal.signal(signal.SIGTERM, _exit)
    from core.supervisor import report_ready

    report_ready()
    log.info("Serving on %s with %d threads", args.bind, args.threads)
    server.run()


if __name__ == "__main__":
    main()

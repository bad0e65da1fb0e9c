"""Browser tests: Playwright drives the system Chromium against a live server.

The live server is a threaded WSGI server on 127.0.0.1; Chromium resolves every
``*.localhost`` name to loopback, so each workspace is reached on its own host exactly as in
production. Data for browser tests is committed (the server's threads use their own
connections), so each test creates what it needs under unique names.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.core.wsgi import get_wsgi_application
from django.test import override_settings

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def live_server_port(django_db_setup: None, django_db_blocker) -> Iterator[int]:
    """Serve the project on a free loopback port for the whole session."""
    server = make_server(
        "127.0.0.1", 0, get_wsgi_application(), _ThreadingWSGIServer, _QuietHandler
    )
    port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    # Absolute links (the signup handoff) must point at this server, not the dev port.
    with django_db_blocker.unblock(), override_settings(SITE_PORT=str(port)):
        thread.start()
        yield port
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} not found: browser tests need Chromium "
            "(apt-get install chromium) or CHROMIUM_PATH pointing at one."
        )
    # Playwright's sync API keeps an event loop in this thread; the ORM calls made by tests
    # between browser steps are synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    """A fresh browser tab; the test fails if the page broke the Content-Security-Policy.

    Chromium reports each refused script, style, handler or form target on the console, so
    every browser test doubles as a check that the policy and the pages agree.
    """
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert violations == [], violations

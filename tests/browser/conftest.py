"""The browser test harness: Debian's Chromium driven by Playwright against a live server.

Fixtures:
- `live_server`: base URL (http://127.0.0.1:<port>) of the app, one per session, on its own
  SQLite file with the demo data loaded; `live_app` is that Flask app.
- `page` (JavaScript on), `page_no_js`, `narrow_page` (320 × 900): a fresh browser context
  each, 1280 × 900 unless said otherwise, locale fr-FR, `base_url` set so `page.goto("/aide")`
  works. `new_page(width=..., height=..., javascript=..., **context_options)` opens more.
  Every page records console errors (CSP violations included), JS exceptions and failed
  CSS/scripts/images: a test that passed fails at teardown if there were any.
- `live_mailbox`: the mails the live server sent during the test (tests/conftest.py `Mailbox`).
- `make_live_account(email=None, password=PASSWORD, active=True, **identity)`: an account in
  the live server's database.
Helpers (axe, reflow at 320 px, keyboard, log in) are in harness.py.
"""
import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from .harness import (
    PASSWORD, Mailbox, assert_no_browser_errors, root_conftest, unique_email, watch,
)

HERE = Path(__file__).resolve().parent

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 900}
NARROW = {"width": 320, "height": 900}
TIMEOUT_MS = 10_000  # a local page answers in milliseconds: fail fast rather than hang

_conftest = root_conftest()


def pytest_collection_modifyitems(config, items):
    """Every test of this folder drives a browser: `-m "not browser"` leaves them out."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


_REPORTS = pytest.StashKey[dict]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report, so the page fixtures know at teardown if the test passed."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


def _unavailable(message):
    """No browser: a failure on CI (the job must install it), a skip on a developer's machine."""
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


# --- Chromium --------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def chromium_executable():
    path = os.environ.get("CYCLADES_CHROMIUM") or shutil.which("chromium")
    if not path or not os.access(path, os.X_OK):
        _unavailable("chromium est introuvable : installez-le (sudo apt-get install chromium) "
                     "ou indiquez son chemin dans CYCLADES_CHROMIUM.")
    return path


@pytest.fixture(scope="session")
def playwright_driver(chromium_executable):
    driver = sync_playwright().start()
    yield driver
    driver.stop()


@pytest.fixture(scope="session")
def browser(playwright_driver, chromium_executable):
    """One headless Chromium for the session; each test gets its own context (cookies, storage)."""
    browser = playwright_driver.chromium.launch(
        executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


# --- The live server -------------------------------------------------------------------------

@pytest.fixture(scope="session")
def live_app(tmp_path_factory, smtp_server, session_database_url):
    """The app on its own database, migrated and with the demo data (demo account included)."""
    from cyclades import create_app, demo
    from cyclades.db import database
    from cyclades.migrations import upgrade

    app = create_app(_conftest.make_test_config(tmp_path_factory.mktemp("live"),
                                                smtp_server.port, session_database_url))
    with app.app_context(), database.connection_context():
        upgrade(database)
        demo.load()
    app.extensions["cyclades_live_database"] = database.obj
    yield app
    from tests.postgres import close_pool
    close_pool(app.extensions["cyclades_live_database"])  # before its database is dropped


@pytest.fixture(scope="session")
def live_server(live_app):
    """Base URL of the app served by werkzeug in a thread (threaded: htmx and the page's own
    requests are answered at the same time, as in production)."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(autouse=True)
def _live_server_state(live_app):
    """Before each test: the rate limits start from zero (a session of browser tests would soon
    hit them), and the database proxy and the task queue point at the live server's even if a
    test of another folder has created its own app since."""
    from cyclades import queue
    from cyclades.db import database

    live_database = live_app.extensions["cyclades_live_database"]
    if database.obj is not live_database:
        database.initialize(live_database)
    if queue.huey.app is not live_app:
        queue.init_app(live_app)
    live_app.extensions["cyclades.throttle"].storage.reset()


@pytest.fixture
def live_mailbox(smtp_server):
    """The mails sent from now on (the SMTP fixture of tests/conftest.py, emptied)."""
    return Mailbox(smtp_server.handler)


@pytest.fixture
def make_live_account(live_app):
    """make_live_account(email=None, password=PASSWORD, active=True, **identity) → Account,
    created directly in the live server's database."""
    from cyclades.db import database
    from cyclades.models import Account, utcnow
    from cyclades.security import hash_password

    def make(email=None, password=PASSWORD, active=True, **fields):
        with live_app.app_context(), database.connection_context():
            return Account.create(
                email=email or unique_email(), password_hash=hash_password(password),
                activated_at=utcnow() if active else None, **{**_conftest.IDENTITY, **fields})

    return make


# --- Pages -----------------------------------------------------------------------------------

def _keep_evidence(page, node, number, directory):
    """A screenshot and the HTML of a page as the failed test left it: what the browser showed
    is otherwise lost with the context."""
    stem = directory / f"{re.sub(r'[^0-9A-Za-z.-]+', '_', node.name)}-{number}"
    try:
        page.screenshot(path=f"{stem}.png", full_page=True)
        Path(f"{stem}.html").write_text(page.content(), encoding="utf-8")
    except Exception as exc:  # a crashed page must not hide the test's own failure
        return f"(capture impossible : {exc})"
    return f"{stem}.png, {stem}.html"


@pytest.fixture
def new_page(browser, live_server, request, tmp_path_factory):
    """new_page(width=1280, height=900, javascript=True, **context_options) → Page in a fresh
    context. Contexts are closed after the test; if it passed, any console error, CSP violation,
    JS exception or failed subresource seen by a page then fails it; if it failed, a screenshot
    and the HTML of each page are kept (paths printed with the failure)."""
    opened = []

    def open_page(width=VIEWPORT["width"], height=VIEWPORT["height"], javascript=True,
                  **context_options):
        context = browser.new_context(
            base_url=live_server, viewport={"width": width, "height": height}, locale="fr-FR",
            java_script_enabled=javascript, **context_options)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        watch(page, javascript=javascript)
        opened.append((context, page))
        return page

    yield open_page
    reports = request.node.stash.get(_REPORTS, {})
    passed = "call" in reports and reports["call"].passed
    try:
        if passed:
            for _, page in opened:
                assert_no_browser_errors(page, f"{request.node.name}, {page.url}")
        elif "call" in reports and reports["call"].failed:
            directory = tmp_path_factory.getbasetemp() / "browser-failures"
            directory.mkdir(exist_ok=True)
            for number, (_, page) in enumerate(opened, 1):
                print("Page au moment de l'échec :",
                      _keep_evidence(page, request.node, number, directory))
    finally:
        for context, _ in opened:
            context.close()


@pytest.fixture
def page(new_page):
    """A page with JavaScript (htmx, cyclades.js) under the site's real CSP."""
    return new_page()


@pytest.fixture
def page_no_js(new_page):
    """A page with JavaScript disabled: every form must work as a plain POST."""
    return new_page(javascript=False)


@pytest.fixture
def narrow_page(new_page):
    """A page 320 CSS px wide, the width WCAG 1.4.10 (reflow) asks to support."""
    return new_page(**NARROW)

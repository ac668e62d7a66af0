"""Helpers for the browser tests: axe-core checks, reflow at 320 px, keyboard moves, log in.

The fixtures (live server, Chromium, pages) are in conftest.py; these are plain functions the
test modules import with `from .harness import ...`.
"""
import re
import sys
import uuid
import weakref
from pathlib import Path

from playwright.sync_api import Page, expect

HERE = Path(__file__).resolve().parent

#: axe-core, vendored (MPL-2.0, licence beside it): no network needed to check a page.
AXE_PATH = HERE / "axe-4.14.1.min.js"
#: What "accessible" means for us: RGAA 4 follows WCAG 2.1 AA; 2.2 AA and axe's best practices
#: catch the rest cheaply.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

#: Errors of a 4xx page or an htmx 422 answer are expected: subresources are checked by status.
_IGNORED_CONSOLE = re.compile(r"^Failed to load resource: the server responded with a status")
_CHECKED_RESOURCES = {"stylesheet", "script", "image", "font", "media"}


def root_conftest():
    """tests/conftest.py as pytest imported it: its module name depends on the import mode, so
    find it by file rather than import it a second time (a second copy would have its own
    fixtures and classes)."""
    wanted = HERE.parent / "conftest.py"
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if file and Path(file).resolve() == wanted:
            return module
    raise RuntimeError(f"{wanted} n'est pas chargé : lancez les tests avec pytest.")


#: From tests/conftest.py: the SMTP fixture's reader, the password the factories use.
Mailbox = root_conftest().Mailbox
PASSWORD = root_conftest().PASSWORD


def unique_email(prefix="candidat"):
    """The live server's database lasts the whole session: every test gets its own address."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.fr"


# --- What went wrong in the browser ----------------------------------------------------------

class BrowserLog:
    """Console errors (CSP violations among them), uncaught exceptions and failed CSS, scripts,
    images or fonts of one page: none is acceptable on any page of the site."""

    def __init__(self, page: Page):
        self.problems = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.problems.append(f"exception JS : {exc}"))
        page.on("response", self._response)
        page.on("requestfailed", self._request_failed)

    def _console(self, message):
        if message.type == "error" and not _IGNORED_CONSOLE.match(message.text):
            self.problems.append(f"console : {message.text} ({message.location.get('url')})")

    def _response(self, response):
        if response.request.resource_type in _CHECKED_RESOURCES and response.status >= 400:
            self.problems.append(f"HTTP {response.status} : {response.url}")

    def _request_failed(self, request):
        if request.resource_type in _CHECKED_RESOURCES:
            self.problems.append(f"échec du chargement ({request.failure}) : {request.url}")


_logs: "weakref.WeakKeyDictionary[Page, BrowserLog]" = weakref.WeakKeyDictionary()
_no_js_pages: "weakref.WeakSet[Page]" = weakref.WeakSet()


def watch(page: Page, javascript=True) -> BrowserLog:
    """Start recording the page's problems (the page fixtures do it for you)."""
    if not javascript:
        _no_js_pages.add(page)
    log = _logs[page] = BrowserLog(page)
    return log


def javascript_enabled(page: Page) -> bool:
    return page not in _no_js_pages


def browser_problems(page: Page) -> list:
    log = _logs.get(page)
    return list(log.problems) if log else []


def assert_no_browser_errors(page: Page, context_label=""):
    problems = browser_problems(page)
    assert not problems, (f"Erreurs dans le navigateur ({context_label or page.url}) :\n- "
                          + "\n- ".join(problems))


# --- axe-core --------------------------------------------------------------------------------

_AXE_SOURCE = None

_RUN_AXE = """async (tags) => {
  const results = await window.axe.run(document, {
    runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: JSON.stringify(n.target), html: n.html,
                              summary: n.failureSummary}))}));
}"""


def _axe_source():
    global _AXE_SOURCE
    if _AXE_SOURCE is None:
        _AXE_SOURCE = AXE_PATH.read_text(encoding="utf-8")
    return _AXE_SOURCE


def _load_axe(page: Page):
    """Through the DevTools protocol, which the page's CSP (`script-src 'self'`) does not govern,
    unlike a <script> tag: the site is checked under its real policy."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    assert page.evaluate("typeof window.axe === 'object'"), (
        "axe-core n'a pas pu être chargé dans la page : si la CSP le bloque, créez le contexte "
        "avec bypass_csp=True pour cette vérification seulement.")


def _axe_violations(page: Page) -> list:
    _load_axe(page)
    return page.evaluate(_RUN_AXE, AXE_TAGS)


def _axe_violations_without_js(page: Page) -> list:
    """axe needs timers, which do not run in a page without JavaScript: check the same HTML in
    a twin page where JavaScript works for axe only (the site's own scripts are not loaded)."""
    html, url = page.content(), page.url.split("#", 1)[0]
    context = page.context.browser.new_context(viewport=page.viewport_size, locale="fr-FR")
    try:
        def serve(route):
            request = route.request
            if request.url == url and request.resource_type == "document":
                route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
            elif request.resource_type == "script":
                route.abort()
            else:
                route.continue_()

        twin = context.new_page()
        twin.route("**/*", serve)
        twin.goto(url)
        return _axe_violations(twin)
    finally:
        context.close()


def format_violations(violations: list) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} [{v['impact']}] {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            lines.append(f"    • {node['target']} : {node['html']}")
            if node["summary"]:
                lines.extend("        " + line for line in node["summary"].splitlines())
    return "\n".join(lines)


def assert_no_axe_violations(page: Page, context_label: str):
    """Run axe-core on the page as it is now (WCAG 2.x A/AA and best practices) and fail with
    every violation: rule, impact, help, and each failing node's selector and HTML."""
    if javascript_enabled(page):
        violations = _axe_violations(page)
    else:
        violations = _axe_violations_without_js(page)
    assert not violations, (f"axe : {len(violations)} règle(s) non respectée(s) sur "
                            f"« {context_label} » ({page.url}) :\n{format_violations(violations)}")


# --- Markup axe cannot judge ------------------------------------------------------------------

_MARKUP_PROBLEMS = """() => {
  const problems = [];
  const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "");
  for (const attr of ["aria-describedby", "aria-labelledby", "aria-controls", "for"]) {
    for (const el of document.querySelectorAll(`[${attr}]`)) {
      for (const id of el.getAttribute(attr).split(/\\s+/).filter(Boolean)) {
        if (id !== "None" && !document.getElementById(id)) problems.push(`${name(el)} : ${attr}="${id}" ne désigne aucun élément`);
      }
    }
  }
  for (const a of document.querySelectorAll('a[href^="#"]')) {
    const id = decodeURIComponent(a.getAttribute("href").slice(1));
    if (id && !document.getElementById(id)) problems.push(`lien « ${a.textContent.trim()} » : #${id} n'existe pas`);
  }
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      if (attr.value === "None") problems.push(`${name(el)} : ${attr.name}="None" (un None de Python dans le HTML)`);
    }
  }
  return problems;
}"""


def assert_sound_markup(page: Page, context_label: str):
    """What axe only lists as « to review »: every id named by aria-describedby, aria-labelledby,
    aria-controls, a label's `for` or an in-page link exists; no attribute reads "None"."""
    problems = page.evaluate(_MARKUP_PROBLEMS)
    assert not problems, (f"Balisage incorrect sur « {context_label} » ({page.url}) :\n- "
                          + "\n- ".join(problems))


def accessibility_tree(page: Page) -> list[dict]:
    """Chromium's accessibility tree of the page (what a screen reader is given)."""
    session = page.context.new_cdp_session(page)
    try:
        return session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()


def exposed_as_invalid(page: Page) -> list[str]:
    """The controls Chromium exposes as invalid: a screen reader says « invalide » on each."""
    found = []
    for node in accessibility_tree(page):
        for prop in node.get("properties", []):
            if prop["name"] == "invalid" and prop["value"].get("value") not in (None, "false"):
                found.append(f"{node.get('role', {}).get('value')} "
                             f"« {node.get('name', {}).get('value', '')} »")
    return found


def assert_nothing_invalid_yet(page: Page, context_label: str):
    """A form nobody has sent yet announces no control as invalid (WCAG 4.1.2)."""
    invalid = exposed_as_invalid(page)
    assert not invalid, (f"Annoncés « invalide » avant toute saisie sur « {context_label} » :\n- "
                         + "\n- ".join(invalid))


# --- Reflow (WCAG 1.4.10): usable at 320 CSS px without horizontal scrolling ---------------

_MEASURE_WIDTH = """() => {
  const inner = window.innerWidth, scroll = document.documentElement.scrollWidth;
  const wide = [];
  if (scroll > inner) {
    for (const el of document.querySelectorAll("body *")) {
      const box = el.getBoundingClientRect();
      if (box.width && box.right > inner + 0.5) {
        const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
          + (el.classList.length ? "." + [...el.classList].join(".") : "");
        wide.push(`${name} (jusqu'à ${Math.round(box.right)} px)`);
      }
    }
  }
  return {inner, scroll, wide: wide.slice(0, 15)};
}"""


def no_horizontal_scroll(page: Page, width=320):
    """Assert the page, shown `width` px wide, is no wider than the window; the viewport is
    put back as it was afterwards."""
    before = page.viewport_size or {"width": 1280, "height": 900}
    page.set_viewport_size({"width": width, "height": before["height"]})
    try:
        measure = page.evaluate(_MEASURE_WIDTH)
    finally:
        page.set_viewport_size(before)
    assert measure["scroll"] <= measure["inner"], (
        f"Défilement horizontal à {width} px sur {page.url} : la page fait {measure['scroll']} px "
        f"pour une fenêtre de {measure['inner']} px. Éléments qui dépassent :\n- "
        + "\n- ".join(measure["wide"]))


# --- Keyboard --------------------------------------------------------------------------------

_ACTIVE = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return {tag: "body", id: "", name: "", type: "", text: "", value: ""};
  return {tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute("name") || "",
          type: e.getAttribute("type") || "", text: (e.innerText || "").trim().replace(/\\s+/g, " "),
          value: "value" in e ? String(e.value) : ""};
}"""


def active_element(page: Page) -> dict:
    """What has the keyboard focus: tag, id, name, type, visible text, value."""
    return page.evaluate(_ACTIVE)


def describe(element: dict) -> str:
    return (f"<{element['tag']}" + (f" id={element['id']}" if element["id"] else "")
            + (f" name={element['name']}" if element["name"] else "") + ">"
            + (f" « {element['text'][:40]} »" if element["text"] else ""))


def tab_until(page: Page, wanted, limit=40, key="Tab") -> dict:
    """Press Tab (or `key`) until `wanted(active_element)` is true; fail, listing every stop,
    if it takes more than `limit` presses: the element cannot be reached by keyboard."""
    stops = []
    for _ in range(limit):
        page.keyboard.press(key)
        element = active_element(page)
        stops.append(describe(element))
        if wanted(element):
            return element
    raise AssertionError(f"Élément pas atteint en {limit} appuis sur {key}. Arrêts :\n- "
                         + "\n- ".join(stops))


def tab_to_next(page: Page, element_id: str) -> dict:
    """One Tab must land on #element_id: the focus order follows the form."""
    page.keyboard.press("Tab")
    element = active_element(page)
    assert element["id"] == element_id, (
        f"Après Tab, le focus est sur {describe(element)} au lieu de #{element_id}")
    return element


# --- Journeys --------------------------------------------------------------------------------

def submit(page: Page, button):
    """Activate a submit button and wait for the answer: a new page without JavaScript, the
    htmx answer with it (then use expect() on what should appear). Returns the POST's response."""
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        if javascript_enabled(page):
            button.click()
        else:
            with page.expect_navigation():
                button.click()
    return answer.value


def log_in(page: Page, email: str, password: str):
    """Log in through the form, as a person does, and wait for « Mon espace »."""
    page.goto("/connexion")
    page.get_by_label("Adresse mail", exact=True).fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    submit(page, page.get_by_role("button", name="Se connecter"))
    expect(page.get_by_role("heading", level=1, name="Mon espace")).to_be_visible()


def local_link(url: str, live_server: str, configured_base="http://localhost") -> str:
    """A link from a mail points at BASE_URL (http://localhost in the tests): open it on the
    live server instead."""
    assert url.startswith(configured_base), f"lien inattendu : {url}"
    return live_server + url[len(configured_base):]

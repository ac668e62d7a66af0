"""What a phone, a zoom, a keyboard and a screen reader meet that axe does not see: radios that
keep their size, fields styled alike, words never cut inside, a specialty readable at 320 px,
text-spacing overrides, 200 % text; the focus kept while a form is sent, a step said once, and
arrow keys that do not send a request each."""
from playwright.sync_api import expect

from .harness import PASSWORD, active_element, log_in, no_horizontal_scroll, unique_email
from .test_registration_journey import FORM_SLUGS, prepare_candidature, redraw, suivant

#: WCAG 1.4.12's text-spacing overrides (the W3C's bookmarklet, as auditors apply it), set
#: through the CSSOM (the portal's CSP refuses an added <style>, as it should).
TEXT_SPACING = """() => {
  for (const el of document.querySelectorAll("*")) {
    el.style.setProperty("line-height", "1.5", "important");
    el.style.setProperty("letter-spacing", "0.12em", "important");
    el.style.setProperty("word-spacing", "0.16em", "important");
    if (el.tagName === "P") el.style.setProperty("margin-bottom", "2em", "important");
  }
}"""

#: Each word of each table cell on one line: a word cut inside (« Nat/ure ») has two boxes;
#: « sous-/épreuve » may break after its hyphen.
_CUT_WORDS = """() => {
  const cut = [];
  for (const cell of document.querySelectorAll("td, th")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /[^\\s\\-\u2010\u2013]+/g;  // a break after a hyphen is no cut
      let match;
      while ((match = re.exec(node.data))) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (lines.size > 1) cut.push(match[0]);
      }
    }
  }
  return cut;
}"""


def open_tab(page, live_app, make_live_account, slug, through, **overrides):
    email = unique_email(slug)
    account = make_live_account(email=email)
    token = prepare_candidature(live_app, account, through=through, overrides=overrides)
    log_in(page, email, PASSWORD)
    page.goto(f"/inscription/{token}/{slug}")
    return token


def test_radios_keep_their_size_when_their_label_wraps_at_320_px(narrow_page, live_app,
                                                                make_live_account):
    open_tab(narrow_page, live_app, make_live_account, "informations", FORM_SLUGS[:1])
    sizes = narrow_page.eval_on_selector_all(
        ".radio", "rows => rows.map(r => [r.querySelector('input').getBoundingClientRect().width,"
                  " r.querySelector('label').getBoundingClientRect().height])")
    wrapped = [width for width, height in sizes if height > 40]
    assert wrapped, "some labels wrap at 320 px"
    assert min(width for width, _ in sizes) >= 22, sizes  # 1,4rem whatever the label


def test_phone_numbers_look_like_every_other_field(page, live_app, make_live_account):
    open_tab(page, live_app, make_live_account, "identification", ())
    style = """el => { const s = getComputedStyle(el);
        return [s.fontSize, s.borderTopWidth, s.paddingLeft, s.display]; }"""
    address = page.eval_on_selector("#adresse", style)
    for phone in ("#telephone_portable", "#telephone_fixe"):
        assert page.eval_on_selector(phone, style) == address, phone
        # As wide as a phone number with room to spare (a field sized to what it holds).
        width = page.eval_on_selector(phone, "el => el.getBoundingClientRect().width")
        assert width >= 250, (phone, width)


def test_table_cells_never_cut_a_word_inside(page, live_app, make_live_account):
    email = unique_email("tableau")
    account = make_live_account(email=email)
    token = prepare_candidature(live_app, account, through=FORM_SLUGS, register=True)
    log_in(page, email, PASSWORD)
    page.goto(f"/mes-inscriptions/{token}")
    page.get_by_role("link", name="Visualiser/imprimer").first.click()
    expect(page.locator("table").first).to_be_visible()
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate(_CUT_WORDS) == [], width
    no_horizontal_scroll(page, 320)  # a table too wide scrolls inside its own region


def test_the_chosen_specialty_is_readable_whole_at_320_px(narrow_page, live_app,
                                                         make_live_account):
    open_tab(narrow_page, live_app, make_live_account, "qualification", FORM_SLUGS[:2])
    shown = narrow_page.locator("[data-choice-of=specialite]")
    expect(shown).to_be_hidden()
    narrow_page.get_by_label("Spécialité").select_option("MV:0")
    expect(shown).to_have_text("Maintenance des véhicules – option A : voitures particulières")
    box = shown.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320
    narrow_page.get_by_label("Spécialité").select_option("MV:1")
    expect(shown).to_contain_text("option B")
    # Sent with an error elsewhere, the page drawn again still says it (and without JS too).
    narrow_page.reload()
    expect(shown).to_be_hidden()  # nothing saved yet: the tab shows what is stored


def test_the_date_of_birth_is_not_clipped_under_text_spacing_overrides(page, live_app,
                                                                        make_live_account):
    page.goto("/compte/creer")
    page.evaluate(TEXT_SPACING)
    field = page.get_by_label("Date de naissance", exact=False).first
    field.fill("30/05/1998")
    widths = field.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert widths[0] <= widths[1], widths


def test_mes_inscriptions_reflows_at_360_px_with_text_at_200_percent(page, live_app,
                                                                     make_live_account):
    email = unique_email("zoom")
    account = make_live_account(email=email)
    prepare_candidature(live_app, account, through=FORM_SLUGS, register=True)
    log_in(page, email, PASSWORD)
    page.goto("/mes-inscriptions")
    page.evaluate("() => document.documentElement.style.setProperty('font-size', '200%',"
                  " 'important')")
    no_horizontal_scroll(page, 360)


def test_the_focus_stays_on_suivant_while_a_slow_line_sends_the_tab(page, live_app,
                                                                     make_live_account):
    token = open_tab(page, live_app, make_live_account, "informations", FORM_SLUGS[:2])
    sent = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    line = page.context.new_cdp_session(page)  # a slow line: 1,5 s each way
    line.send("Network.enable")
    line.send("Network.emulateNetworkConditions", {"offline": False, "latency": 1500,
                                                   "downloadThroughput": -1,
                                                   "uploadThroughput": -1})
    suivant(page).focus()
    page.keyboard.press("Enter")
    expect(page.locator("form.htmx-request")).to_have_count(1)  # on its way
    assert active_element(page)["text"] == "Suivant"  # not fallen to <body>
    page.keyboard.press("Enter")  # impatient: sends nothing more
    expect(page.get_by_role("heading", level=2, name="Étape 3 sur 6", exact=False)).to_be_focused()
    assert len(sent) == 1, sent


def test_a_new_step_is_said_once_by_its_focused_heading(page, live_app, make_live_account):
    open_tab(page, live_app, make_live_account, "identification", FORM_SLUGS[:1])
    page.evaluate("""() => { window.said = [];
        new MutationObserver(() => window.said.push(document.getElementById('announce')
            .textContent)).observe(document.getElementById('announce'),
            {childList: true, characterData: true, subtree: true}); }""")
    suivant(page).click()
    heading = page.get_by_role("heading", level=2, name="Étape 2 sur 6", exact=False)
    expect(heading).to_be_focused()
    page.wait_for_timeout(300)
    assert [s for s in page.evaluate("window.said") if s] == []


def test_arrow_keys_through_a_language_list_send_one_request(page, live_app,
                                                             make_live_account):
    open_tab(page, live_app, make_live_account, "epreuves", FORM_SLUGS[:4],
             qualification={"specialite": "MCV:0"})
    sent = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    lva = page.get_by_label("Langue vivante A (LVA)", exact=True)
    lva.focus()
    with redraw(page):
        for _ in range(4):  # looking for « espagnol », a key every 150 ms
            page.keyboard.press("ArrowDown")
            page.wait_for_timeout(150)
    page.wait_for_timeout(800)
    assert len(sent) == 1, sent
    assert active_element(page)["id"] == "lva"
    expect(page.locator("#announce")).to_have_text("Les listes de langues sont mises à jour.")

"""Tab 5 in Chromium: a changed language or EPS choice redraws only its fieldset, keeps the focus
where it was and says so; axe-core finds nothing in any state."""
from playwright.sync_api import expect

from .harness import PASSWORD, active_element, assert_no_axe_violations, log_in, unique_email
from .test_registration_journey import FORM_SLUGS, check_page, prepare_candidature, redraw


def open_tab_5(page, live_app, make_live_account, **overrides):
    email = unique_email("epreuves")
    account = make_live_account(email=email)
    token = prepare_candidature(live_app, account, through=FORM_SLUGS[:4], overrides=overrides)
    log_in(page, email, PASSWORD)
    page.goto(f"/inscription/{token}/epreuves")
    return token


def test_choosing_the_lva_redraws_the_lists_keeps_focus_and_announces(page, live_app,
                                                                     make_live_account):
    open_tab_5(page, live_app, make_live_account,
               qualification={"specialite": "MCV:0"})  # tertiary: LVA and LVB
    lva = page.get_by_label("Langue vivante A (LVA)", exact=True)
    lva.focus()
    with redraw(page):
        lva.select_option("anglais")
    assert active_element(page)["id"] == "lva"
    expect(page.locator("#announce")).to_have_text("Les listes de langues sont mises à jour.")
    lvb_options = page.locator("#lvb option").all_inner_texts()
    assert "anglais" not in lvb_options and "espagnol" in lvb_options
    with redraw(page):
        page.get_by_label("Langue vivante B (LVB)", exact=True).select_option("espagnol")
    lvf_options = page.locator("#lvf option").all_inner_texts()
    assert not {"anglais", "espagnol"} & set(lvf_options) and "portugais" in lvf_options
    check_page(page, "onglet 5, langues choisies")


def test_every_eps_situation_is_accessible(page, live_app, make_live_account):
    open_tab_5(page, live_app, make_live_account)
    for label, shows in (("Épreuve adaptée", "Activité de l'épreuve adaptée"),
                         ("Contrôle ponctuel - Inapte", "certificat médical"),
                         ("Apte", "Vos deux activités")):
        with redraw(page):
            page.get_by_role("radio", name=label, exact=False).first.check()
        expect(page.locator("#fieldset-eps")).to_contain_text(shows)
        expect(page.locator("#announce")).to_have_text("Les choix d'EPS sont mis à jour.")
        check_page(page, f"onglet 5, EPS {label}")


def test_tab_5_errors_with_htmx(page, live_app, make_live_account):
    open_tab_5(page, live_app, make_live_account)
    with redraw(page):
        page.get_by_role("radio", name="Apte", exact=False).first.check()
    page.get_by_role("checkbox", name="Danse", exact=True).check()
    page.get_by_role("button", name="Suivant", exact=True).click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Choisissez votre langue vivante A (LVA).")
    expect(summary).to_contain_text("Choisissez exactement deux activités.")
    expect(page.get_by_role("checkbox", name="Danse", exact=True)).to_be_checked()
    expect(summary).to_be_focused()
    assert_no_axe_violations(page, "onglet 5 en erreur")


def open_tab_4(page, live_app, make_live_account):
    email = unique_email("acquis")
    account = make_live_account(email=email)
    token = prepare_candidature(live_app, account, through=FORM_SLUGS[:3])
    log_in(page, email, PASSWORD)
    page.goto(f"/inscription/{token}/acquis")
    return token


def test_every_acquis_possibility_is_accessible(page, live_app, make_live_account):
    open_tab_4(page, live_app, make_live_account)
    expect(page.locator(".no-js-only")).to_be_hidden()  # htmx redraws on change instead
    for label, shows in (("Bénéfice de notes", "Note obtenue, sur 20"),
                         ("Dispense d'épreuves obtenue par la validation", "Session où elle"),
                         ("Dispense d'épreuves au titre d'un diplôme", "Diplôme que vous")):
        with redraw(page, "/acquis"):
            page.get_by_role("radio", name=label, exact=False).check()
        expect(page.locator("#fieldset-acquis")).to_contain_text(shows)
        expect(page.locator("#announce")).to_have_text("Les épreuves concernées sont affichées.")
        check_page(page, f"onglet 4, {label}")
    with redraw(page, "/acquis"):
        page.get_by_label("Diplôme que vous possédez déjà", exact=True).select_option(
            "bac_professionnel")
    expect(page.locator("#fieldset-acquis")).to_contain_text("Mon diplôme comportait")
    check_page(page, "onglet 4, dispense au titre du bac pro")


def test_acquis_errors_with_htmx(page, live_app, make_live_account):
    open_tab_4(page, live_app, make_live_account)
    with redraw(page, "/acquis"):
        page.get_by_role("radio", name="Bénéfice de notes", exact=False).check()
    page.get_by_role("checkbox", name="E51 – Français : cette épreuve est concernée").check()
    page.get_by_label("Note obtenue, sur 20").first.fill("8")
    page.get_by_role("button", name="Suivant", exact=True).click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("au moins 10")
    expect(summary).to_be_focused()
    assert_no_axe_violations(page, "onglet 4 en erreur")


def test_progressive_tab_5_is_accessible(page, live_app, make_live_account):
    open_tab_5(page, live_app, make_live_account,
               qualification={"forme_passage": "PROGRESSIVE"})
    expect(page.get_by_role("group", name="Épreuves présentées à cette session (forme "
                                          "progressive)")).to_be_visible()
    check_page(page, "onglet 5, forme progressive")
    page.get_by_role("button", name="Suivant", exact=True).click()
    expect(page.locator(".error-summary")).to_contain_text("choisissez au moins une épreuve")
    assert_no_axe_violations(page, "onglet 5, forme progressive, en erreur")

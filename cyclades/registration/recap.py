"""The Récapitulatif: a candidature's answers as labelled rows, for the page, the mails and the
documents that will print it."""

from cyclades.dates import short_date
from cyclades.domain import acquis, epreuves
from cyclades.domain import candidature as rules
from cyclades.domain.acquis import KIND_LABELS as ACQUIS_LABELS
from cyclades.domain.identity import country_name
from cyclades.i18n import gettext as _
from cyclades.models import Diploma, Specialty
from cyclades.registration.forms import PCS_LABELS, TYPE_LABELS


def _yes_no(value):
    return {"oui": _("Oui"), "non": _("Non"), True: _("Oui"), False: _("Non")}.get(value, "—")


def specialty_label(exam, value: str) -> str:
    """"MV:0" → « Maintenance des véhicules – option A : voitures particulières »."""
    if not value:
        return "—"
    code, _sep, option = value.partition(":")
    specialty = Specialty.of_exam(exam, code)
    if specialty is None:
        return value
    if option.isdigit() and int(option) < len(specialty.options):
        return f"{specialty.name} – option {specialty.options[int(option)]}"
    return specialty.name


def specialty_of(candidature, answers: dict):
    """The Specialty chosen in tab 3 of these answers ("MV:0" → MV), or None."""
    value = (answers.get("qualification") or {}).get("specialite") or ""
    return Specialty.of_exam(candidature.exam_id, value.partition(":")[0])


def unit_statuses(candidature, answers: dict) -> list[dict]:
    """The specialty's obligatory units with their status from the acquis kept (R25) and, in
    PROGRESSIVE form, whether they are presented this session; before a specialty is chosen,
    the exam's épreuves, all « Inscrit »."""
    qualification = answers.get("qualification") or {}
    specialty = specialty_of(candidature, answers)
    units = [u for u in (specialty.unit_list() if specialty else []) if not u["optional"]]
    if not units:
        return [{**e, "label": e["code"], "status": "inscrit"}
                for e in epreuves.obligatory(candidature.exam.code)]
    acquired = (answers.get("acquis") or {}).get("items", [])
    labels = acquis.diploma_labels(Diploma.table(), specialty.code) \
        if any(item.get("diploma") for item in acquired) else {}
    rows = epreuves.statuses(units, acquired, labels)
    presented = (answers.get("epreuves") or {}).get("presentees")
    if qualification.get("forme_passage") == rules.PROGRESSIVE and presented is not None:
        for row in rows:
            if row["status"] == "inscrit" and row["unit"] not in presented:
                row["status"] = "reportee"
    return rows


def optional_rows(candidature, answers: dict) -> list[dict]:
    """The optional épreuves (R28): the LVF as chosen in tab 5, and the épreuve de contrôle,
    for which every Bac Pro candidate is registered."""
    chosen = answers.get("epreuves") or {}
    rows = []
    for epreuve in epreuves.optional(candidature.exam.code):
        row = {**epreuve, "label": epreuve["code"], "status": "inscrit"}
        if epreuve.get("role") == "lvf":
            row["status"] = "lvf" if chosen.get("lvf") else "non_choisie"
            row["language"] = chosen.get("lvf", "")
        rows.append(row)
    return rows


def status_text(row: dict) -> str:
    """« Inscrit », « Bénéfice 12,5/20 (session 2024) », « Dispensé (Baccalauréat général) »."""
    from babel.numbers import format_decimal
    from cyclades.i18n import get_locale

    status = row.get("status")
    if status == acquis.BENEFICE:
        return _("Bénéfice %(mark)s/20 (session %(session)s)",
                 mark=format_decimal(row["mark"], locale=get_locale()), session=row["session"])
    if status == acquis.DIPLOME:
        return _("Dispensé (%(diploma)s)", diploma=row.get("reason") or _("diplôme"))
    if status == acquis.AJOURNEMENT:
        return _("Dispensé (échec à une autre spécialité, session %(session)s)",
                 session=row["session"])
    if status == acquis.VAE:
        return _("Dispensé (VAE, session %(session)s)", session=row["session"])
    if status == "lvf":
        return _("Inscrit (%(language)s)", language=row["language"])
    if status == "non_choisie":
        return _("Non choisie")
    if status == "reportee":
        return _("Non présentée à cette session (forme progressive)")
    return _("Inscrit")


def _epreuve_rows(chosen: dict) -> list:
    from cyclades.domain import eps

    rows = []
    if chosen.get("lva"):
        rows.append((_("E4 – Langue vivante A (LVA)"), chosen["lva"]))
    if chosen.get("lvb"):
        rows.append((_("E4 – Langue vivante B (LVB)"), chosen["lvb"]))
    if "lva" in chosen:
        rows.append((_("Langue vivante facultative (LVF)"), chosen.get("lvf") or _("aucune")))
    mode = chosen.get("eps_mode")
    if mode:
        # An APTE without activities: the académie announces them with the convocation.
        detail = _(eps.mode_label(mode, chosen.get("eps_activities")))
        if mode == eps.APTE and chosen.get("eps_activities"):
            detail += " – " + ", ".join(eps.activity_label(a) for a in chosen["eps_activities"])
        if mode == eps.ADAPTEE and chosen.get("eps_adapted"):
            detail += " – " + chosen["eps_adapted"]
        rows.append((_("E7 – Éducation physique et sportive"), detail))
    return rows


def sections(candidature, answers: dict) -> list[dict]:
    from cyclades.i18n import get_locale

    account = candidature.account
    ident = answers.get("identification") or {}
    info = answers.get("informations") or {}
    qualif = answers.get("qualification") or {}
    acquired = answers.get("acquis") or {}
    rows = {
        "identification": [
            (_("Civilité"), _("Madame") if account.civilite == "MME" else _("Monsieur")),
            (_("Nom de famille (nom de naissance)"), account.nom_naissance),
            (_("Nom d'usage"), account.nom_usage or "—"),
            (_("Prénoms"), account.prenoms),
            (_("Date de naissance"), short_date(account.date_naissance)),
            (_("Pays de naissance"), country_name(account.pays_naissance, get_locale())),
            (_("Adresse"), ", ".join(v for v in (ident.get("adresse"), ident.get("complement"))
                                     if v) or "—"),
            (_("Code postal et commune"),
             f"{ident.get('code_postal', '')} {ident.get('commune', '')}".strip() or "—"),
            (_("Téléphone portable"), ident.get("telephone_portable") or "—"),
            (_("Téléphone fixe"), ident.get("telephone_fixe") or "—"),
            (_("Adresse mail"), account.email),
            (_("Catégorie socio-professionnelle d'un représentant légal"),
             str(PCS_LABELS.get(ident.get("pcs_representant"), "—"))),
        ],
        "informations": [
            (_("Type de candidature"), str(TYPE_LABELS.get(info.get("type_candidature"), "—"))),
            (_("Établissement ou organisme de formation"), info.get("etablissement") or "—"),
            (_("Déclarations (domicile, recensement ou JDC, condition d'inscription)"),
             _("Faites") if info.get("declaration_condition") else "—"),
            (_("Handicap"), _yes_no(info.get("handicap"))),
            (_("Notification de mesures d'aménagement déjà obtenue"),
             _yes_no(info.get("notification_amenagement")) if info.get("handicap") == "oui"
             else "—"),
            (_("Publication des résultats"), _yes_no(info.get("publication_resultats"))),
        ],
        "qualification": [
            (_("Examen"), f"{candidature.exam.name} – {_('session %(year)s', year=candidature.session.year)}"),
            (_("Spécialité"), specialty_label(candidature.exam, qualif.get("specialite"))),
            (_("Forme de passage"), qualif.get("forme_passage") or "—"),
            (_("Échec lors d'une session précédente"), _yes_no(qualif.get("echec_precedent"))),
        ],
        "acquis": [
            (_("Bénéfices de notes et dispenses"),
             _(ACQUIS_LABELS.get(acquired.get("acquis"), "—"))),
        ],
        "epreuves": _epreuve_rows(answers.get("epreuves") or {}),
    }
    titles = {"identification": _("Identification"), "informations": _("Informations candidature"),
              "qualification": _("Qualification présentée"), "acquis": _("Acquis"),
              "epreuves": _("Épreuves")}
    result = [{"slug": slug, "title": titles[slug], "rows": rows[slug]} for slug in titles]
    result[-1]["epreuves"] = unit_statuses(candidature, answers) if "qualification" in answers \
        else []
    result[-1]["facultatives"] = optional_rows(candidature, answers) if "epreuves" in answers \
        else []
    return result

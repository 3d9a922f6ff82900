"""Write the small XLSForms of this folder (written for Concerto's tests; none is taken from elsewhere).

    .venv/bin/python tests/data/xlsform_fixtures/make_fixtures.py

Each workbook exercises what issue 14 added to the importer, as people write it in real forms; the .xlsx files are
committed, and tests/integration/test_xlsform_completion.py imports each one through the import page and answers
it to the end over HTTP. Change a form here, run this script, commit both.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import PatternFill

HERE = Path(__file__).resolve().parent


def save(name: str, survey, choices=None, settings=None, *, empty_rows: int = 0) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    fill = PatternFill("solid", fgColor="DDEEFF")
    for number in range(len(survey) + 1, len(survey) + 1 + empty_rows):  # formatted, empty rows
        sheet.cell(number, 1).fill = fill
    if choices:
        sheet = book.create_sheet("choices")
        for row in choices:
            sheet.append(row)
    if settings:
        sheet = book.create_sheet("settings")
        for row in settings:
            sheet.append(row)
    book.properties.creator = "Concerto tests"
    book.save(HERE / name)


# 1. Bilingual household form: nested groups (a field-list one), calculations, computed conditions, new types,
#    a repeat asked once, metadata used by a calculation, a photo left out, aliases and a list name with capitals.
save(
    "menage_calculs.xlsx",
    [
        [
            "type",
            "name",
            "label::Français (fr)",
            "label::English (en)",
            "hint::Français (fr)",
            "hint::English (en)",
            "required",
            "relevance",
            "constraint",
            "constraint_message::Français (fr)",
            "constraint_message::English (en)",
            "calculation",
            "appearance",
            "guidance_hint::Français (fr)",
            "default",
            "required_message::Français (fr)",
            "required_message::English (en)",
        ],
        ["start", "debut"],
        ["username", "utilisateur"],
        ["today", "jour"],
        ["begin group", "menage", "Votre ménage", "Your household", "", "", "", "", "", "", "", "", "", "", ""],
        [
            "text",
            "prenom",
            "Votre prénom",
            "Your first name",
            "",
            "",
            "yes",
            *[""] * 8,
            "Écrivez votre prénom, svp.",
            "Please write your first name.",
        ],
        [
            "integer",
            "adultes",
            "Combien d’adultes?",
            "How many adults?",
            "",
            "",
            "yes",
            "",
            ". >= 1 and . <= 20",
            "Entre 1 et 20",
            "Between 1 and 20",
        ],
        [
            "integer",
            "enfants",
            "Combien d’enfants?",
            "How many children?",
            "",
            "",
            "yes",
            "",
            ". >= 0 and . <= 20",
            "Entre 0 et 20",
            "Between 0 and 20",
        ],
        ["calculate", "taille", "", "", "", "", "", "", "", "", "", "${adultes} + ${enfants}"],
        [
            "calculate",
            "part_enfants",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "if(${taille} > 0, round(${enfants} div ${taille} * 100, 1), 0)",
        ],
        ["begin group", "details", "Détails", "Details", "", "", "", "${enfants} > 0", "", "", "", "", "field-list"],
        ["select_one Oui_Non", "garde", "Service de garde?", "Childcare?", "", "", "yes"],
        ["begin group", "heures", "Heures", "Hours", "", "", "", "${garde} = 'oui'"],
        ["time", "arrivee", "Heure d’arrivée", "Arrival time", "", "", "yes"],
        ["end group"],
        ["end group"],
        ["end group"],
        ["begin group", "lieu", "Où vivez-vous?", "Where do you live?"],
        ["geopoint", "position", "Position (latitude longitude)", "Position (latitude longitude)", "", "", "yes"],
        ["image", "photo", "Photo du logement", "Photo of the home"],
        ["datetime", "rendezvous", "Rendez-vous", "Appointment", "", "", "", "${taille} >= 3"],
        ["end group"],
        ["begin repeat", "membres", "Membres", "Members"],
        [
            "text",
            "membre_nom",
            "Nom du membre",
            "Member’s name",
            "",
            "",
            "",
            "",
            "string-length(.) <= 40",
            "40 caractères au plus",
            "At most 40 characters",
            "",
            "",
            "Prénom seulement",
        ],
        ["end repeat"],
        [
            "calculate",
            "resume",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "concat(${prenom}, ' : ', ${taille}, ' personnes (', ${utilisateur}, ')')",
        ],
        ["acknowledge", "confirme", "Je confirme mes réponses", "I confirm my answers", "", "", "yes"],
        [
            "note",
            "fin",
            "Merci ${prenom}! Votre ménage : **${taille}** personnes.",
            "Thank you ${prenom}! Household: **${taille}** people.",
        ],
    ],
    [
        ["list_name", "value", "label::Français (fr)", "label::English (en)"],
        ["Oui_Non", "oui", "Oui", "Yes"],
        ["Oui_Non", "non", "Non", "No"],
    ],
    [["form_title", "form_id", "default_language"], ["Ménage et calculs", "menage_calculs", "Français (fr)"]],
)

# 2. Cascading selects (territory → municipality) in plain French, without a settings sheet, with 3,000
#    formatted empty rows below the form.
save(
    "cascade_territoires.xlsx",
    [
        ["type", "name", "label", "required", "choice_filter", "relevant"],
        ["select_one territoire", "territoire", "Dans quel territoire habitez-vous?", "yes"],
        ["select_one municipalite", "municipalite", "Dans quelle municipalité?", "yes", "territoire = ${territoire}"],
        [
            "select_multiple services",
            "services",
            "Quels services utilisez-vous?",
            "yes",
            "selected(${municipalite}, 'sherbrooke') or name != 'metro'",
        ],
        ["text", "autre", "Précisez", "", "", "count-selected(${services}) > 1"],
    ],
    [
        ["list_name", "name", "label", "territoire"],
        ["territoire", "estrie", "Estrie", ""],
        ["territoire", "mauricie", "Mauricie", ""],
        ["municipalite", "sherbrooke", "Sherbrooke", "estrie"],
        ["municipalite", "magog", "Magog", "estrie"],
        ["municipalite", "trois_rivieres", "Trois-Rivières", "mauricie"],
        ["municipalite", "shawinigan", "Shawinigan", "mauricie"],
        ["services", "bus", "Autobus", ""],
        ["services", "metro", "Métro", ""],
        ["services", "velo", "Vélos en libre-service", ""],
    ],
    empty_rows=3000,
)

# 3. Plain English labels in the old syntax (select one from, gps, date time, bind:relevant), no form_title.
save(
    "plain_english_old_syntax.xlsx",
    [
        ["type", "name", "label", "hint", "bind:relevant", "bind:required", "constraint", "constraint_message"],
        ["select one from yes_no", "has_car", "Do you have a car?", "", "", "yes"],
        [
            "integer",
            "kilometres",
            "How many kilometres do you drive in a week?",
            "",
            "${has_car} = 'yes'",
            "yes",
            ". >= 0",
            "Zero or more",
        ],
        ["select all that apply from reasons", "reasons", "Why do you drive?", "Tick all that apply", "", "yes"],
        ["gps", "home", "Where is your home?", "Latitude and longitude"],
        ["date time", "last_trip", "When was your last trip?"],
        ["text", "comment", "Anything else?", "", "", "", "regex(., '^[A-Za-z ]*$')", "Letters only"],
    ],
    [
        ["list name", "name", "label"],
        ["yes_no", "yes", "Yes"],
        ["yes_no", "no", "No"],
        ["reasons", "work", "Work"],
        ["reasons", "family", "Family"],
        ["reasons", "leisure", "Leisure"],
    ],
    [["form_id"], ["commuting_habits"]],
)

# 4. Defaults and read-only questions, a third language (Spanish, kept but not shown), a repeat written out as two
#    numbered copies (a fixed repeat_count) and one asked once (its count is an answer).
save(
    "defauts_langues_repetitions.xlsx",
    [
        [
            "type",
            "name",
            "label::Français (fr)",
            "label::English (en)",
            "label::Español (es)",
            "hint::Español (es)",
            "default",
            "read_only",
            "repeat_count",
            "calculation",
            "relevant",
            "appearance",
            "choice_filter",
        ],
        ["begin group", "lieu", "Où", "Where", "Dónde"],
        ["text", "ville", "Votre ville", "Your city", "Su ciudad", "Escriba", "Québec"],
        ["select_multiple aides", "aides", "Vos aides", "Your help", "Sus ayudas", "", "garde loisirs"],
        ["integer", "annee", "Année de l’enquête", "Survey year", "Año", "", "2025", "yes"],
        ["select_one region", "region", "Région desservie", "Region served", "Región", "", "capitale", "yes"],
        ["integer", "enfants", "Nombre d’enfants", "Number of children", "Niños", "", "", "", "", "", ""],
        ["end group"],
        ["begin repeat", "enfant", "Enfant", "Child", "Niño", "", "", "", "2"],
        ["text", "prenom", "Prénom", "First name", "Nombre"],
        ["integer", "age", "Âge de ${prenom}", "Age of ${prenom}", "Edad", "", "", "", "", "", "${prenom} != ''"],
        ["calculate", "rang", "", "", "", "", "", "", "", "position(..)"],
        ["end repeat"],
        ["begin repeat", "visite", "Visite", "Visit", "Visita", "", "", "", "${enfants}"],
        ["date", "quand", "Date de la visite", "Date of the visit", "Fecha"],
        ["end repeat"],
        ["begin group", "adresse", "Adresse", "Address", "Dirección", *[""] * 6, "field-list"],
        ["select_one region", "region_adresse", "Région", "Region", "Región"],
        [
            "select_one municipalite",
            "municipalite",
            "Municipalité",
            "Municipality",
            "Municipio",
            *[""] * 7,
            "region = ${region_adresse}",
        ],
        ["end group"],
    ],
    [
        ["list_name", "name", "label::Français (fr)", "label::English (en)", "label::Español (es)", "region"],
        ["aides", "garde", "Service de garde", "Childcare", "Guardería"],
        ["aides", "loisirs", "Loisirs", "Recreation", "Ocio"],
        ["aides", "sante", "Santé", "Health", "Salud"],
        ["region", "capitale", "Capitale-Nationale", "Capitale-Nationale", "Capital"],
        ["region", "estrie", "Estrie", "Eastern Townships", "Estrie"],
        ["municipalite", "quebec", "Québec", "Quebec City", "Quebec", "capitale"],
        ["municipalite", "magog", "Magog", "Magog", "Magog", "estrie"],
    ],
    [["form_title::Français (fr)", "form_title::English (en)", "form_id"], ["Défauts", "Defaults", "defauts"]],
)

"""XLSForms as people write them (issue 14): the importer's bugs met on real forms, each on a small workbook
written here (no material from the corpus)."""

import io

import pytest
from openpyxl import Workbook
from openpyxl.styles import PatternFill

from app.builder.definition import validate_definition
from app.builder.xlsform import XLSFormInvalid, read_xlsform


def book(survey, choices=(), settings=None, *, styled_empty_rows=0, sheet_names=("survey", "choices")) -> bytes:
    """A workbook from lists of rows (the first row of each sheet is its header)."""
    wb = Workbook()
    sheet = wb.active
    sheet.title = sheet_names[0]
    for values in survey:
        sheet.append(list(values))
    if styled_empty_rows:  # formatted but empty rows, as spreadsheets leave them below a form
        fill = PatternFill("solid", fgColor="FFFF00")
        for number in range(len(survey) + 1, len(survey) + 1 + styled_empty_rows):
            sheet.cell(number, 1).fill = fill
    if choices:
        sheet = wb.create_sheet(sheet_names[1])
        for values in choices:
            sheet.append(list(values))
    if settings is not None:
        sheet = wb.create_sheet("settings")
        for values in settings:
            sheet.append(list(values))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def problems(data: bytes) -> list[str]:
    with pytest.raises(XLSFormInvalid) as caught:
        read_xlsform(data)
    return [str(p) for p in caught.value.problems]


TITLE = [["form_title", "form_id"], ["Essai", "essai"]]


def test_list_names_keep_their_case():
    data = book(
        [["type", "name", "label"], ["select_one Yes_No", "ok", "D’accord?"], ["select_one Oui_non", "b", "Et?"]],
        [["list_name", "name", "label"], ["Yes_No", "yes", "Oui"], ["Yes_No", "no", "Non"]],
        TITLE,
    )
    assert problems(data) == ["survey sheet, row 3, column type: The list “Oui_non” is not in the choices sheet."]
    fixed = book(
        [["type", "name", "label"], ["select_one Yes_No", "ok", "D’accord?"]],
        [["list_name", "name", "label"], ["Yes_No", "yes", "Oui"], ["Yes_No", "no", "Non"]],
        TITLE,
    )
    (question,) = read_xlsform(fixed)["pages"][0]["questions"]
    assert [c["code"] for c in question["choices"]] == ["yes", "no"]


def test_formatted_empty_rows_do_not_count_toward_the_row_limit():
    data = book([["type", "name", "label"], ["integer", "age", "Âge"]], settings=TITLE, styled_empty_rows=6000)
    assert [q["code"] for q in read_xlsform(data)["pages"][0]["questions"]] == ["age"]


def test_the_row_limit_names_the_sheet_and_row():
    survey = [["type", "name", "label"], *[["integer", f"q{i}", f"Question {i}"] for i in range(5001)]]
    assert problems(book(survey, settings=TITLE)) == [
        "survey sheet, row 5002, column —: Too many rows: at most 5000 filled rows on this sheet."
    ]


def test_a_list_of_thousands_of_places_is_read():
    # Lists of admin areas (REACH, Ona) run past 5,000 rows: a choices sheet holds up to 20,000.
    choices = [["list_name", "name", "label"], *[["lieux", f"c{i}", f"Lieu {i}"] for i in range(6000)]]
    data = book([["type", "name", "label"], ["select_one lieux", "lieu", "Lieu"]], choices, TITLE)
    (question,) = read_xlsform(data)["pages"][0]["questions"]
    assert len(question["choices"]) == 6000 and question["choices"][-1]["code"] == "c5999"


def test_value_and_relevance_aliases():
    data = book(
        [
            ["type", "name", "label", "relevance", "required"],
            ["select_one oui_non", "enfants", "Des enfants?", "", "yes"],
            ["integer", "combien", "Combien?", "${enfants} = 'oui'", "yes"],
        ],
        [["list_name", "value", "label"], ["oui_non", "oui", "Oui"], ["oui_non", "non", "Non"]],
        TITLE,
    )
    enfants, combien = read_xlsform(data)["pages"][0]["questions"]
    assert [c["code"] for c in enfants["choices"]] == ["oui", "non"]
    assert combien["relevant"] == "${enfants} = 'oui'"


NESTED_REPEATS = [
    ["type", "name", "label", "repeat_count", "calculation"],
    ["begin repeat", "membres", "Membres", "${nombre}", ""],
    ["text", "prenom", "Prénom", "", ""],
    ["calculate", "rang", "", "", "position(..)"],
    ["begin repeat", "enfants", "Enfants", "", ""],
    ["begin group", "detail", "Détail", "", ""],
    ["integer", "age", "Âge", "", ""],
    ["end group", "", "", "", ""],
    ["end repeat", "", "", "", ""],
    ["end repeat", "", "", "", ""],
    ["begin group", "a", "A", "", ""],
    ["begin group", "b", "B", "", ""],
    ["text", "c", "C", "", ""],
    ["end group", "", "", "", ""],
    ["end group", "", "", "", ""],
]


def test_a_repeat_without_a_fixed_count_is_asked_once_with_a_warning_even_nested():
    warnings = []
    data = read_xlsform(book(NESTED_REPEATS, settings=TITLE), warnings=warnings)
    codes = [q["code"] for page in data["pages"] for q in page["questions"]]
    assert codes == ["prenom", "rang", "age", "c"]
    assert data["pages"][0]["questions"][1]["settings"] == {"calculation": "1"}  # position(..) of the only copy
    assert [str(w) for w in warnings if "repeat" in str(w)] == [
        "survey sheet, row 2, column repeat_count: This repeat is asked once: its number of copies "
        "(“${nombre}”) is not a fixed number.",
        "survey sheet, row 5, column type: This repeat is asked once: Concerto repeats a group a fixed number of "
        "times only (a number in repeat_count, at most 10).",
    ]


def test_a_repeat_with_a_fixed_count_becomes_numbered_copies():
    survey = [
        ["type", "name", "label::Français (fr)", "label::English (en)", "repeat_count", "relevant", "calculation"],
        ["integer", "avant", "Avant", "Before", "", "", ""],
        ["begin repeat", "enfant", "Enfant", "Child", "3", "${avant} > 0", ""],
        ["text", "prenom", "Prénom", "First name", "", "", ""],
        ["integer", "age", "Âge de ${prenom}", "Age of ${prenom}", "", "${prenom} != ''", ""],
        ["calculate", "rang", "", "", "", "", "concat(position(..), '-', ${age}, ${avant})"],
        ["end repeat", "", "", "", "", "", ""],
    ]
    warnings = []
    data = read_xlsform(book(survey, settings=TITLE), warnings=warnings)
    pages = data["pages"]
    assert [p["title"] for p in pages[1:]] == [{"fr": f"Enfant ({k})", "en": f"Child ({k})"} for k in (1, 2, 3)]
    assert [p["relevant"] for p in pages[1:]] == ["${avant} > 0"] * 3
    second = pages[2]["questions"]
    assert [q["code"] for q in second] == ["prenom_2", "age_2", "rang_2"]
    assert second[0]["label"] == {"fr": "Prénom (2)", "en": "First name (2)"}
    assert second[1]["label"] == {"fr": "Âge de ${prenom_2} (2)", "en": "Age of ${prenom_2} (2)"}
    assert second[1]["relevant"] == "${prenom_2} != ''"
    assert second[2]["settings"] == {"calculation": "concat(2, '-', ${age_2}, ${avant})"}
    assert not [w for w in warnings if "repeat" in str(w).lower()]


@pytest.mark.parametrize("count", ["11", "0"])
def test_a_repeat_count_beyond_ten_or_zero_is_refused_on_its_cell(count):
    survey = [
        ["type", "name", "label", "repeat_count"],
        ["begin repeat", "enfant", "Enfant", count],
        ["text", "prenom", "Prénom", ""],
        ["end repeat", "", "", ""],
    ]
    assert problems(book(survey, settings=TITLE)) == [
        f"survey sheet, row 2, column repeat_count: {count} copies: Concerto repeats a group from 1 to 10 times."
    ]


def test_duplicate_names_are_reported_as_sheet_rows():
    data = book(
        [
            ["type", "name", "label"],
            ["begin group", "g1", "Un"],
            ["text", "nom", "Nom"],
            ["begin group", "g2", "Deux"],
            ["end group", "", ""],
            ["text", "nom", "Nom encore"],
            ["end group", "", ""],
        ],
        settings=TITLE,
    )
    assert problems(data) == ["survey sheet, row 6, column name: The name “nom” is already used on row 3."]


def test_a_name_used_again_in_another_group_is_renamed_with_a_warning():
    # pyxform accepts the same name in two groups (a household head's age and a member's), as long as no ${…}
    # refers to it: the second becomes age_2; a name used twice in the same group is still refused (above).
    data = book(
        [
            ["type", "name", "label", "relevant"],
            ["begin group", "chef", "Chef de ménage", ""],
            ["integer", "age", "Âge", ""],
            ["end group", "", "", ""],
            ["begin group", "membre", "Membre", ""],
            ["integer", "age", "Âge", ""],
            ["select_multiple maladies", "maladies", "Maladies", ""],
            ["end group", "", "", ""],
        ],
        [["list_name", "name", "label"], ["maladies", "tuberculosis(tb)", "TB"], ["maladies", "flu", "Grippe"]],
        TITLE,
    )
    warnings = []
    pages = read_xlsform(data, warnings=warnings)["pages"]
    assert [q["code"] for p in pages for q in p["questions"]] == ["age", "age_2", "maladies"]
    assert [c["code"] for c in pages[1]["questions"][1]["choices"]] == ["tuberculosis(tb)", "flu"]
    assert (
        "survey sheet, row 6, column name: The name “age” is already used on row 3 (in another group): this "
        "question is named “age_2”."
    ) in [str(w) for w in warnings]


def test_plain_english_labels_are_english_and_a_missing_title_is_not_the_file_name():
    data = book(
        [
            ["type", "name", "label", "hint"],
            ["begin group", "household", "Your household"],
            ["integer", "people", "How many people live in your home?", "Count yourself"],
            ["select_one yn", "car", "Do you have a car?", ""],
            ["end group", "", ""],
        ],
        [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]],
        [["form_id"], ["household_survey"]],
    )
    warnings = []
    document = read_xlsform(data, fallback_title="upload_2024 (3)", warnings=warnings)
    assert validate_definition(document) == []
    assert document["survey"]["title"] == {"fr": "Household survey", "en": "Household survey"}
    people, car = document["pages"][0]["questions"]
    assert people["label"] == {"fr": "How many people live in your home?", "en": "How many people live in your home?"}
    assert people["help"]["en"] == "Count yourself"
    assert car["choices"][0]["label"] == {"fr": "Yes", "en": "Yes"}
    assert (
        "survey sheet, row 1, column label: The form has no French texts: its English texts are shown in French "
        "too, until translated." in [str(w) for w in warnings]
    )


def test_plain_french_labels_stay_french_and_the_first_label_titles_a_form_without_form_id():
    data = book([["type", "name", "label"], ["integer", "age", "Quel est votre âge?"]])
    document = read_xlsform(data, fallback_title="fichier")
    assert document["survey"]["title"]["fr"] == "Quel est votre âge?"
    assert document["pages"][0]["questions"][0]["label"] == {"fr": "Quel est votre âge?", "en": ""}


def test_a_lookup_in_a_list_from_a_file_is_an_empty_text_with_a_warning():
    data = book(
        [
            ["type", "name", "label", "calculation", "relevant"],
            ["select_one_from_file stations.csv", "station", "Station", "", ""],
            ["calculate", "niveau", "", "instance('stations')/root/item[name=${station}]/niveau_01", ""],
            ["integer", "mesure", "Mesure", "", "${niveau} != ''"],
        ],
        settings=TITLE,
    )
    warnings = []
    _station, niveau, mesure = read_xlsform(data, warnings=warnings)["pages"][0]["questions"]
    assert niveau["settings"] == {"calculation": "''"} and mesure["relevant"] == "${niveau} != ''"
    assert (
        "survey sheet, row 3, column calculation: instance('stations') reads a list from a file Concerto does not "
        "have (a select_one_from_file's): the lookup is read as an empty text."
    ) in [str(w) for w in warnings]


def test_a_lookup_in_a_list_of_the_workbook_becomes_a_choice_of_values():
    data = book(
        [
            ["type", "name", "label", "calculation"],
            ["select_one stations", "station", "Station", ""],
            ["calculate", "niveau", "", "instance('stations')/root/item[name=${station}]/niveau_01"],
        ],
        [
            ["list_name", "name", "label", "niveau_01"],
            ["stations", "nord", "Nord", "1.5"],
            ["stations", "sud", "Sud", "l'étang"],
            ["stations", "est", "Est", ""],
        ],
        settings=TITLE,
    )
    _station, niveau = read_xlsform(data)["pages"][0]["questions"]
    assert niveau["settings"] == {
        "calculation": "if(${station} = 'nord', '1.5', if(${station} = 'sud', \"l'étang\", ''))"
    }


def test_defaults_read_only_questions_and_third_languages_are_kept():
    data = book(
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
            ],
            ["text", "ville", "Ville", "City", "Ciudad", "Escriba", "Québec", ""],
            ["select_multiple aides", "aides", "Aides", "Help", "Ayudas", "", "garde loisirs", "no"],
            ["integer", "annee", "Année", "Year", "Año", "", "2025", "yes"],
            ["text", "observateur", "Observateur", "Observer", "", "", "${username}", ""],
        ],
        [
            ["list_name", "name", "label::Français (fr)", "label::English (en)", "label::Español (es)"],
            ["aides", "garde", "Garde", "Childcare", "Guardería"],
            ["aides", "loisirs", "Loisirs", "Leisure", ""],
        ],
        TITLE,
    )
    warnings = []
    ville, aides, annee, observateur = read_xlsform(data, warnings=warnings)["pages"][0]["questions"]
    assert ville["settings"] == {"default": "Québec", "translations": {"es": {"label": "Ciudad", "help": "Escriba"}}}
    assert aides["settings"] == {
        "default": "garde loisirs",
        "translations": {"es": {"label": "Ayudas", "choice:garde": "Guardería"}},
    }
    assert annee["settings"] == {"default": "2025", "read_only": True, "translations": {"es": {"label": "Año"}}}
    assert annee["required"] is False
    assert "default" not in observateur["settings"]
    assert [str(w) for w in warnings] == [
        "survey sheet, row 1, column label: Concerto shows French and English only: the texts in es are kept with "
        "the questionnaire (and written back by its XLSForm export) but not shown.",
        "survey sheet, row 5, column default: A default computed from an expression (“${username}”) is not filled in.",
    ]


def test_pulldata_from_a_csv_file_is_an_empty_text_with_a_warning():
    data = book(
        [
            ["type", "name", "label", "calculation"],
            ["text", "mare", "Mare", ""],
            ["calculate", "commune", "", "concat('à ', pulldata('mares', 'commune', 'id', concat(${mare}, ')')))"],
        ],
        settings=TITLE,
    )
    warnings = []
    _mare, commune = read_xlsform(data, warnings=warnings)["pages"][0]["questions"]
    assert commune["settings"] == {"calculation": "concat('à ', '')"}
    assert (
        "survey sheet, row 3, column calculation: pulldata() reads the file mares.csv, which Concerto does not "
        "have: it is read as an empty text."
    ) in [str(w) for w in warnings]


def test_indexed_repeat_reads_the_copy_it_names():
    data = book(
        [
            ["type", "name", "label", "repeat_count", "calculation"],
            ["integer", "taille", "Taille", "", ""],
            ["begin repeat", "membres", "Membres", "${taille}", ""],
            ["text", "prenom", "Prénom", "", ""],
            ["end repeat", "", "", "", ""],
            ["begin repeat", "enfants", "Enfants", "2", ""],
            ["integer", "age", "Âge", "", ""],
            ["end repeat", "", "", "", ""],
            ["calculate", "premier", "", "", "indexed-repeat(${prenom}, ${membres}, 1)"],
            ["calculate", "age_cadet", "", "", "indexed-repeat(${age}, ${enfants}, ${taille} - 1)"],
        ],
        settings=TITLE,
    )
    questions = {q["code"]: q for p in read_xlsform(data)["pages"] for q in p["questions"]}
    assert questions["premier"]["settings"] == {"calculation": "if((1) = 1, ${prenom}, '')"}
    assert questions["age_cadet"]["settings"] == {
        "calculation": "if((${taille} - 1) = 1, ${age_1}, if((${taille} - 1) = 2, ${age_2}, ''))"
    }

"""XLSForm workbooks built here with openpyxl, read into questionnaire definitions."""

import io

import pytest
from openpyxl import Workbook

from app.builder.definition import validate_definition
from app.builder.expressions import CALLS, FUNCTIONS
from app.builder.xlsform import XLSFormInvalid, read_xlsform
from app.questions.registry import xlsform_words

SURVEY_HEADER = [
    "type",
    "name",
    "label::French (fr)",
    "label::English (en)",
    "hint::French (fr)",
    "hint::English (en)",
    "required",
    "relevant",
    "constraint",
    "constraint_message::French (fr)",
    "constraint_message::English (en)",
    "appearance",
]


def workbook(survey_rows, choice_rows=(), settings_rows=None, survey_header=SURVEY_HEADER) -> bytes:
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(survey_header)
    for row in survey_rows:
        survey.append(row)
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::French (fr)", "label::English (en)"])
    for row in choice_rows:
        choices.append(row)
    if settings_rows is not None:
        settings = book.create_sheet("settings")
        for row in settings_rows:
            settings.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def row(
    type_,
    name="",
    fr="",
    en="",
    hint_fr="",
    hint_en="",
    required="",
    relevant="",
    constraint="",
    msg_fr="",
    msg_en="",
    appearance="",
):
    return [type_, name, fr, en, hint_fr, hint_en, required, relevant, constraint, msg_fr, msg_en, appearance]


FAMILY = workbook(
    [
        row("start", "debut"),
        row("begin group", "famille", "Votre famille", "Your family"),
        row(
            "integer",
            "nb_enfants",
            "Combien d’enfants?",
            "How many children?",
            "De 0 à 12",
            "From 0 to 12",
            "yes",
            "",
            ". >= 0 and . <= 12",
            "Entre 0 et 12",
            "Between 0 and 12",
        ),
        row(
            "select_one oui_non",
            "garde",
            "Service de garde?",
            "Childcare?",
            required="yes",
            relevant="${nb_enfants} > 0",
            appearance="minimal",
        ),
        row(
            "select_multiple aides or_other",
            "aides",
            "Ce qui aiderait",
            "What would help",
            constraint="count-selected(.) <= 2",
        ),
        row("end group"),
        row("begin group", "suite", "La suite", "Next", relevant="selected(${aides}, 'repit')"),
        row("decimal", "budget", "Budget", "Budget"),
        row("date", "naissance", "Date de naissance", "Date of birth"),
        row("note", "merci", "Merci!", "Thank you!"),
        row("rank", "priorites", "Classez", "Rank"),
        row("rank priorites", "classement", "Classez", "Rank"),
        row("text", "commentaire", "Commentaire", "Comment", appearance="multiline"),
        row("text", "nom", "Nom", "Name"),
        row("end group"),
    ],
    [
        ["oui_non", "oui", "Oui", "Yes"],
        ["oui_non", "non", "Non", "No"],
        ["aides", "information", "De l’information", "Information"],
        ["aides", "repit", "Du répit", "Respite"],
        ["priorites", "a", "Emploi", "Jobs"],
        ["priorites", "b", "Logement", "Housing"],
    ],
    [
        ["form_title::French (fr)", "form_title::English (en)", "form_id", "default_language"],
        ["Besoins des familles", "Family needs", "besoins_familles", "French (fr)"],
    ],
)


def test_rank_without_a_list_is_reported_on_its_row():
    with pytest.raises(XLSFormInvalid) as caught:  # "rank" without a list on row 12
        read_xlsform(FAMILY)
    assert [str(p) for p in caught.value.problems] == [
        "survey sheet, row 12, column type: Write “rank list_name”, optionally followed by “or_other”."
    ]


def _family_without_bad_row() -> bytes:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(FAMILY))
    book["survey"].delete_rows(12)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_groups_types_labels_and_rules_are_converted():
    data = read_xlsform(_family_without_bad_row())
    assert validate_definition(data) == []
    assert data["survey"]["title"] == {"fr": "Besoins des familles", "en": "Family needs"}
    assert data["survey"]["slug"] == "besoins-familles"
    first, second = data["pages"]
    assert (
        first["title"] == {"fr": "Votre famille", "en": "Your family"}
        and second["relevant"] == "selected(${aides}, 'repit')"
    )
    assert [(q["code"], q["type"]) for q in first["questions"]] == [
        ("nb_enfants", "numeric"),
        ("garde", "single_choice"),
        ("aides", "multiple_choice"),
    ]
    assert [(q["code"], q["type"]) for q in second["questions"]] == [
        ("budget", "numeric"),
        ("naissance", "date"),
        ("merci", "note"),
        ("classement", "ranking"),
        ("commentaire", "long_text"),
        ("nom", "short_text"),
    ]
    enfants, garde, aides = first["questions"]
    assert enfants["required"] is True and enfants["constraint"] == ". >= 0 and . <= 12"
    assert enfants["help"] == {"fr": "De 0 à 12", "en": "From 0 to 12"}
    assert enfants["constraint_message"] == {"fr": "Entre 0 et 12", "en": "Between 0 and 12"}
    assert garde["settings"] == {"display": "dropdown"} and garde["relevant"] == "${nb_enfants} > 0"
    assert garde["choices"] == [
        {"code": "oui", "label": {"fr": "Oui", "en": "Yes"}},
        {"code": "non", "label": {"fr": "Non", "en": "No"}},
    ]
    assert aides["settings"] == {"other": True}
    assert second["questions"][0]["settings"] == {"decimal": True}


def test_plain_label_columns_and_questions_outside_groups():
    data = read_xlsform(
        workbook(
            [["integer", "age", "Âge", "yes"], ["select_one sexe", "genre", "Genre", ""]],
            [["sexe", "f", "Femme", "Woman"], ["sexe", "h", "Homme", "Man"]],
            [["form_title"], ["Court sondage"]],
            survey_header=["type", "name", "label", "required"],
        )
    )
    (page,) = data["pages"]
    assert [q["label"] for q in page["questions"]] == [{"fr": "Âge", "en": ""}, {"fr": "Genre", "en": ""}]
    assert data["survey"]["title"]["fr"] == "Court sondage"


def test_range_becomes_a_rating_scale():
    data = read_xlsform(
        workbook(
            [["range", "note", "Note", "start=1 end=7 step=1"]],
            settings_rows=[["form_title"], ["Échelle"]],
            survey_header=["type", "name", "label", "parameters"],
        )
    )
    assert data["pages"][0]["questions"][0]["settings"] == {"scale": 7}


def test_refused_workbook_reports_each_row_and_column():
    data = workbook(
        [
            row("begin group", "g", "Groupe"),
            row("integer", "age", "Âge", required="peut-être"),
            row("select_one inconnue", "x", "X"),
            row("bidule", "lieu", "Lieu"),
            row("begin repeat", "enfant", "Enfant"),
            row("end group"),
            row("end group"),
            row("text", "suivi", "Suivi", relevant="${age} >"),
            row("text", "plus_tot", "Plus tôt", relevant="${plus_tard} = 'x'"),
            row("text", "plus_tard", "Plus tard", constraint="longueur(.) < 10"),
        ],
        [["", "a", "A"]],
        [["form_title"], ["Essai"]],
    )
    with pytest.raises(XLSFormInvalid) as caught:
        read_xlsform(data)
    # Every problem at once: the rows the importer refuses, then the definition's own checks on the others.
    assert [str(p) for p in caught.value.problems] == [
        "survey sheet, row 3, column required: Write “yes” or “no”.",
        "survey sheet, row 4, column type: The list “inconnue” is not in the choices sheet.",
        "survey sheet, row 5, column type: The type “bidule” cannot be imported; the types are "
        + TYPES
        + ", begin group and end group.",
        "survey sheet, row 9, column relevant: The expression is incomplete: something is missing at the end "
        "(character 9).",
        "survey sheet, row 10, column relevant: The question “plus_tard” comes later in the questionnaire: a "
        "condition can only use the answers to earlier questions (character 1)",
        "survey sheet, row 11, column constraint: " + UNKNOWN_LONGUEUR,
        "choices sheet, row 2, column list_name: Each choice needs the name of its list.",
    ]


TYPES = ", ".join(xlsform_words())
UNKNOWN_LONGUEUR = (
    "Unknown function “longueur” at character 1: the functions are "
    + ", ".join(f"{name}()" for name in [*FUNCTIONS, *CALLS])
    + "."
)


def test_expression_problems_are_mapped_back_to_their_cells():
    data = workbook(
        [
            row("text", "suivi", "Suivi", relevant="${age} >"),
            row("integer", "age", "Âge"),
            row("text", "plus_tot", "Plus tôt", relevant="${plus_tard} = 'x'"),
            row("text", "plus_tard", "Plus tard", constraint="longueur(.) < 10"),
            row("select_one oui_non", "ok", "OK?"),
            row("text", "", "Sans nom"),
        ],
        [["oui_non", "oui", "Oui"], ["oui_non", "oui", "Encore oui"]],
        [["form_title"], ["Essai"]],
    )
    with pytest.raises(XLSFormInvalid) as caught:
        read_xlsform(data)
    messages = [str(p) for p in caught.value.problems]
    assert messages == [
        "survey sheet, row 2, column relevant: The expression is incomplete: something is missing at the end "
        "(character 9).",
        "survey sheet, row 4, column relevant: The question “plus_tard” comes later in the questionnaire: a "
        "condition can only use the answers to earlier questions (character 1)",
        "survey sheet, row 5, column constraint: " + UNKNOWN_LONGUEUR,
        "survey sheet, row 7, column name: Each question needs a code (its name in conditions and exports), e.g. "
        "age_enfant.",
        "choices sheet, row 3, column name: The code “oui” appears twice in this list.",
    ]


def test_not_a_workbook_and_no_survey_sheet():
    with pytest.raises(XLSFormInvalid) as caught:
        read_xlsform(b"PK\x03\x04 not really a zip")
    assert "This is not a readable .xlsx workbook" in str(caught.value.problems[0])
    book = Workbook()
    book.active.title = "autre"
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(XLSFormInvalid) as caught:
        read_xlsform(buffer.getvalue())
    assert str(caught.value.problems[0]) == "survey: The workbook has no “survey” sheet."


def test_an_empty_survey_sheet_is_refused():
    with pytest.raises(XLSFormInvalid) as caught:
        read_xlsform(workbook([], settings_rows=[["form_title"], ["Vide"]]))
    assert str(caught.value.problems[0]) == "survey: The survey sheet has no question."


@pytest.mark.parametrize(
    ("reference", "beyond"),
    [
        *[("A1", False), ("Z9", False), ("AA10", False), ("GR5000", False)],
        *[("GS1", True), ("HA2", True), ("ZZ3", True), ("AAA1", True), ("XFD1048576", True), ("gs1", True)],
    ],
)
def test_cells_beyond_the_last_column_are_found_by_their_reference(reference, beyond):
    from app.builder.xlsform import _FAR_CELL

    xml = f'<row r="1" spans="1:16384"><c r="{reference}" t="s"><v>0</v></c></row><selection sqref="XFD1"/>'
    assert bool(_FAR_CELL.search(xml.encode())) is beyond


def test_cells_are_counted_with_or_without_a_namespace_prefix():
    from app.builder.xlsform import _count_cells

    plain = b'<sheetData><row><c r="A1"><v>1</v></c><c><v>2</v></c><c/></row><cols><col min="1"/></cols></sheetData>'
    assert _count_cells(plain) == 3
    prefixed = b'<x:sheetData><x:row><x:c r="A1"><x:v>1</x:v></x:c><x:c/></x:row><x:cols/></x:sheetData>'
    assert _count_cells(prefixed) == 2

"""The questionnaire definition format: validation with JSON paths, normalization, templates, choice lines."""

import copy
import json

import pytest

from app.builder.catalog import TEMPLATE_KEYS, list_templates, load_template
from app.builder.choice_lines import format_choice_lines, parse_choice_lines
from app.builder.definition import (
    FORMAT,
    DefinitionError,
    DefinitionInvalid,
    normalize_definition,
    validate_definition,
)


def definition(*questions, anonymity="anonymous", **survey):
    return {
        "format": FORMAT,
        "version": 1,
        "survey": {"title": {"fr": "Essai", "en": "Test"}, "anonymity": anonymity, **survey},
        "pages": [{"title": {"fr": "Page", "en": "Page"}, "questions": list(questions)}],
    }


def q(code, qtype="short_text", **fields):
    return {"code": code, "type": qtype, "label": {"fr": f"Question {code}", "en": f"Question {code}"}, **fields}


def choices(*codes):
    return [{"code": c, "label": {"fr": c.upper(), "en": c}} for c in codes]


def paths(data):
    return [(e.path, e.message) for e in validate_definition(data)]


def test_a_valid_definition_has_no_errors():
    data = definition(
        q("enfants", "yes_no", required=True),
        q("ages", "multiple_choice", choices=choices("a", "b"), relevant="${enfants} = 'yes'"),
        q("age", "numeric", constraint=". >= 0 and . <= ${age}", settings={"min": 0, "max": 120}),
    )
    assert validate_definition(data) == []


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [
        ([], "$", "A questionnaire definition is a JSON object."),
        ({"format": "other"}, "$.format", "This is not a Concerto questionnaire"),
        ({"format": FORMAT, "version": 2}, "$.version", "version 2 of the format, made by a newer Concerto"),
        ({"format": FORMAT, "version": "1"}, "$.version", "Unknown format version"),
    ],
)
def test_wrong_documents(data, path, message):
    errors = validate_definition(data)
    assert len(errors) == 1 and errors[0].path == path and message in errors[0].message


def test_every_problem_is_reported_with_its_path():
    data = definition(
        q("a", "slider"),
        q("b", "single_choice", choices=choices("x", "x")),
        q("b", "short_text"),
        q("c", "single_choice", choices=choices("x")),
        q("d", "email"),
        q("e", "short_text", relevant="${a} = ", constraint=". = ${zz}"),
        q("f", "yes_no", relevant="${g} = 'yes'"),
        q("g", "note", required=True),
        q("h", "numeric", settings={"min": 5, "max": 1, "colour": "red"}),
        q("i", "short_text", choices=choices("x", "y")),
        {"code": "1bad", "type": "date", "label": {"fr": ""}},
    )
    data["survey"]["mystery"] = True
    found = paths(data)
    by_path = {}
    for path, message in found:
        by_path.setdefault(path, []).append(message)

    def has(path, text):
        assert any(text in m for m in by_path.get(path, [])), (path, by_path.get(path))

    has("$.survey.mystery", "Unknown field “mystery”")
    has("$.pages[0].questions[0].type", "Unknown question type “slider”")
    has("$.pages[0].questions[1].choices[1].code", "The code “x” appears twice in this list.")
    has("$.pages[0].questions[2].code", "The code “b” is already used by $.pages[0].questions[1]")
    assert "$.pages[0].questions[3].choices" not in by_path  # one choice is enough (a confirmation)
    has("$.pages[0].questions[4].type", "An e-mail question is only allowed in an identified survey")
    has(
        "$.pages[0].questions[5].relevant",
        "The expression is incomplete: something is missing at the end (character 7).",
    )
    has("$.pages[0].questions[5].constraint", "Unknown question “zz” (character 5)")
    has("$.pages[0].questions[6].relevant", "The question “g” comes later in the questionnaire")
    has("$.pages[0].questions[7].required", "A text block has no answer")
    has("$.pages[0].questions[8].settings.colour", "Unknown setting “colour”")
    has("$.pages[0].questions[8].settings.min", "The minimum is larger than the maximum.")
    has("$.pages[0].questions[9].choices", "A question of this type has no choices to list.")
    has("$.pages[0].questions[10].code", "“1bad” is not a valid code")
    has("$.pages[0].questions[10].label.fr", "The French text is required.")


def test_expression_errors_carry_their_position():
    data = definition(q("a", "yes_no"), q("b", relevant="${a} = 'yes' and ${later} = 1"), q("later", "numeric"))
    (error,) = validate_definition(data)
    assert error == DefinitionError(
        "$.pages[0].questions[1].relevant",
        "The question “later” comes later in the questionnaire: a condition can only use the answers to earlier "
        "questions (character 18)",
        17,
    )


def test_self_reference_and_notes_and_unknown_choices():
    data = definition(
        q("intro", "note"),
        q("a", "single_choice", choices=choices("x", "y"), relevant="${a} = 'x'"),
        q("b", relevant="${intro} = ''"),
        q("c", relevant="selected(${a}, 'z')"),
        q("d", "multiple_choice", choices=choices("x", "y"), constraint="not(selected(., 'x') and selected(., 'w'))"),
    )
    found = dict(paths(data))
    assert (
        "A display condition cannot use the answer to its own question “a”" in found["$.pages[0].questions[1].relevant"]
    )
    assert found["$.pages[0].questions[2].relevant"] == "“intro” is a text block, it has no answer (character 1)."
    assert found["$.pages[0].questions[3].relevant"] == "“z” is not a choice of the question “a” (character 16)."
    assert "“w” is not a choice of the question “d”" in found["$.pages[0].questions[4].constraint"]


def test_page_conditions_only_see_earlier_pages():
    data = definition(q("a", "yes_no"))
    data["pages"].append({"relevant": "${a} = 'yes'", "questions": [q("b")]})
    data["pages"][0]["relevant"] = "${a} = 'yes'"
    found = dict(paths(data))
    assert list(found) == ["$.pages[0].relevant"]


def test_email_question_in_identified_mode_and_only_once():
    data = definition(q("courriel", "email"), q("encore", "email"), anonymity="identified")
    assert paths(data) == [
        ("$.pages[0].questions[1].type", "The questionnaire already asks for the e-mail address once.")
    ]


def test_settings_are_checked_and_normalized():
    data = definition(
        q("r", "rating"),
        q("m", "multiple_choice", choices=choices("a", "b"), settings={"max_selections": 3, "other": False}),
        q("n", "numeric", settings={"min": 1.5}),
        q("t", "long_text", settings={"max_length": 9000, "open": "yes"}),
        q("s", "single_choice", choices=choices("a", "b"), settings={"display": "slider"}),
    )
    found = dict(paths(data))
    assert found == {
        "$.pages[0].questions[1].settings.max_selections": "The maximum number of choices must be from 1 to 2.",
        "$.pages[0].questions[2].settings.min": "Whole numbers are expected: allow decimals or round this limit.",
        "$.pages[0].questions[3].settings.max_length": "Expected a number from 0 to 5000.",
        "$.pages[0].questions[3].settings.open": "Expected true or false.",
        "$.pages[0].questions[4].settings.display": "Use “radios” or “dropdown”.",
    }
    good = definition(q("r", "rating"), q("m", "multiple_choice", choices=choices("a", "b"), settings={"other": False}))
    normalized = normalize_definition(good)
    questions = normalized["pages"][0]["questions"]
    assert questions[0]["settings"] == {"scale": 5} and questions[1]["settings"] == {}
    assert questions[0]["help"] == {"fr": "", "en": ""} and "choices" not in questions[0]


def test_normalize_refuses_an_invalid_document():
    with pytest.raises(DefinitionInvalid) as caught:
        normalize_definition(definition(q("a", "nope")))
    assert caught.value.errors[0].path == "$.pages[0].questions[0].type"


def test_hostile_values_never_crash():
    nasty = definition(
        q("a", ["list"]),
        {"code": None, "type": None, "label": 3, "settings": [], "choices": "x"},
        "not an object",
        q("b", "short_text", relevant="(" * 5000),
        q("c", "numeric", settings={"min": float("inf"), "max": True}),
        q("d", "single_choice", choices=[{"code": "a b", "label": {"fr": "A\nB"}}, 3, {"code": True}]),
    )
    nasty["survey"]["opens_at"] = "hier"
    nasty["survey"]["closes_at"] = "2025-01-01T00:00:00"
    nasty["survey"]["title"] = {"fr": "x" * 1000, "de": "Titel"}
    nasty["pages"].append([])
    errors = validate_definition(nasty)
    assert len(errors) > 10 and all(isinstance(e.message, str) and e.path.startswith("$") for e in errors)
    assert validate_definition({"format": FORMAT, "version": 1, "survey": {"title": "T"}, "pages": "x"})


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_templates_are_valid_and_rich(key):
    data = load_template(key)
    assert validate_definition(data) == []
    questions = [question for page in data["pages"] for question in page["questions"]]
    answerable = [question for question in questions if question["type"] != "note"]
    conditions = [x for x in [*data["pages"], *questions] if x["relevant"]]
    assert len(answerable) >= 12 and len({x["type"] for x in questions}) >= 6 and len(conditions) >= 2
    assert "territory" in {x["type"] for x in questions}
    assert data["survey"]["privacy"]["fr"] and data["survey"]["privacy"]["en"] and data["survey"]["retention_days"]
    for question in questions:
        assert question["label"]["fr"] and question["label"]["en"], question["code"]
        for choice in question.get("choices", []) + question.get("rows", []):
            assert choice["label"]["fr"] and choice["label"]["en"], (question["code"], choice["code"])
    # Normalizing a template changes nothing: the shipped files are written in the normalized form.
    assert normalize_definition(copy.deepcopy(data)) == json.loads(json.dumps(data))


def test_template_list():
    titles = [t.title_fr for t in list_templates()]
    assert titles == [
        "Besoins des parents (0-8 ans)",
        "Pratiques des employeurs — conciliation études-travail",
        "Professions en demande",
    ]


# ------------------------------------------------------------------------------------------------ choice lines


def test_choice_lines_round_trip_exactly():
    items = [
        {"code": "oui", "label": {"fr": "Oui", "en": "Yes"}},
        {"code": "pipe", "label": {"fr": "A | B \\ C", "en": ""}},
        {"code": "0-2", "label": {"fr": "0 à 2 ans", "en": "0 to 2"}},
    ]
    text = format_choice_lines(items)
    assert text == "oui | Oui | Yes\npipe | A \\| B \\\\ C | \n0-2 | 0 à 2 ans | 0 to 2"
    assert parse_choice_lines(text) == (items, [])


def test_choice_lines_generate_codes_and_report_lines():
    parsed, problems = parse_choice_lines("Très satisfait\n\nsatisfait | Satisfait\nTrès satisfait")
    assert [c["code"] for c in parsed] == ["tres_satisfait", "satisfait", "tres_satisfait_2"]
    assert problems == []
    _parsed, problems = parse_choice_lines("a | b | c | d")
    assert problems and problems[0].startswith("Line 1: too many “|”")
    assert parse_choice_lines("x\n" * 400)[1] == ["Too many lines: at most 300 choices."]

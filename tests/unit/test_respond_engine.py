"""The respondent engine without requests or database: visibility, forms of every question type, validation."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from werkzeug.datastructures import MultiDict

from app.models import Anonymity, Choice, ChoiceKind, Question, QuestionType, Survey, SurveyPage
from app.questions.fields import MAX_TEXT_LENGTH, clean_text, parse_date
from app.respond import engine

TERRITORIES = [SimpleNamespace(code="SHE", name="Sherbrooke"), SimpleNamespace(code="COA", name="Coaticook")]


def build(pages, anonymity=Anonymity.ANONYMOUS) -> Survey:
    """An in-memory survey from the same compact spec as the create_survey fixture."""
    survey = Survey(slug="s", title_fr="Questionnaire", title_en="Survey", anonymity=anonymity)
    for page_position, page_spec in enumerate(pages):
        page_spec = dict(page_spec)
        questions = page_spec.pop("questions", [])
        page = SurveyPage(position=page_position, relevant=page_spec.pop("relevant", ""), **page_spec)
        survey.pages.append(page)
        for position, spec in enumerate(questions):
            spec = dict(spec)
            choices, rows = spec.pop("choices", []), spec.pop("rows", [])
            question = Question(
                position=position,
                code=spec.pop("code"),
                type=QuestionType(spec.pop("type")),
                label_fr=spec.pop("label_fr", "Question"),
                label_en=spec.pop("label_en", "Question"),
                help_fr="",
                help_en="",
                settings=spec.pop("settings", {}),
                relevant=spec.pop("relevant", ""),
                constraint=spec.pop("constraint", ""),
                constraint_message_fr=spec.pop("constraint_message_fr", ""),
                constraint_message_en=spec.pop("constraint_message_en", ""),
                required=spec.pop("required", False),
            )
            for kind, codes in ((ChoiceKind.OPTION, choices), (ChoiceKind.ROW, rows)):
                for i, code in enumerate(codes):
                    question.all_choices.append(Choice(kind=kind, position=i, code=code, label_fr=code, label_en=code))
            page.questions.append(question)
            survey.questions.append(question)
    return survey


def one(question: dict, **survey_args) -> Survey:
    return build([{"questions": [question]}], **survey_args)


def submit(survey, data, *, page=0, prior=None, enforce_required=True, language="fr"):
    form_class = engine.make_page_form(survey, [survey.pages[page]], language=language, territories=TERRITORIES)
    form = form_class(formdata=MultiDict(data))
    valid = form.validate(prior=prior or {}, enforce_required=enforce_required)
    return valid, form


def errors(form) -> dict[str, list[str]]:
    return {f.code: [str(e) for e in f.errors] for f in form.failing}


# ---------------------------------------------------------------------------------------------------- visibility


@pytest.fixture
def conditional():
    return build(
        [
            {
                "questions": [
                    {"code": "kids", "type": "numeric"},
                    {"code": "ages", "type": "multiple_choice", "choices": ["0-2", "3-5"], "relevant": "${kids} > 0"},
                    {"code": "why_none", "type": "long_text", "relevant": "${ages} = ''"},
                ]
            },
            {"relevant": "selected(${ages}, '0-2')", "questions": [{"code": "daycare", "type": "yes_no"}]},
            {"questions": [{"code": "end", "type": "short_text"}]},
        ]
    )


def test_hidden_questions_count_as_unanswered_for_later_conditions(conditional):
    # "ages" has a stored value, but kids = 0 hides it: for why_none it is unanswered.
    seen = engine.visibility(conditional, {"kids": Decimal(0), "ages": ["0-2"]})
    assert seen.questions == {"kids", "why_none", "end"}
    assert seen.answers["ages"] is None
    assert [p.position for p in seen.pages] == [0, 2]


def test_page_condition_uses_earlier_answers(conditional):
    seen = engine.visibility(conditional, {"kids": Decimal(2), "ages": ["0-2"]})
    assert seen.questions == {"kids", "ages", "daycare", "end"}
    assert [p.position for p in seen.pages] == [0, 1, 2]
    assert seen.answers["kids"] == 2 and seen.answers["ages"] == ["0-2"]


def test_prior_answers_stop_before_the_page(conditional):
    prior = engine.visibility(conditional, {"kids": Decimal(1), "daycare": "yes"}, until=conditional.pages[1]).answers
    assert prior == {"kids": 1, "ages": None, "why_none": None}


def test_navigation_skips_hidden_pages(conditional):
    seen = engine.visibility(conditional, {"kids": Decimal(1), "ages": ["3-5"]})
    first, _daycare, last = conditional.pages
    assert engine.next_page(seen, first) is last
    assert engine.previous_page(seen, last) is first
    assert engine.next_page(seen, last) is None
    assert engine.page_by_number(conditional, 3) is last
    assert [engine.page_by_number(conditional, n) for n in (0, 4, -1, "2", True)] == [None] * 5


def test_hidden_answers_are_discarded_from_the_submitted_page(conditional):
    valid, form = submit(conditional, {"q_kids": "0", "q_ages": "0-2", "q_why_none": "Pas d’enfant"})
    assert valid
    assert form.values == {"kids": Decimal(0), "why_none": "Pas d’enfant"}
    assert form.visible == ["kids", "why_none"]


def test_a_hidden_required_question_is_not_required():
    survey = one({"code": "x", "type": "short_text", "required": True, "relevant": "1 = 2"})
    valid, form = submit(survey, {})
    assert valid and form.values == {}


def test_email_is_asked_only_in_identified_surveys():
    spec = {"code": "courriel", "type": "email", "required": True}
    anonymous = one(spec)
    assert engine.make_page_form(anonymous, anonymous.pages)().question_field(anonymous.questions[0]) is None
    assert engine.visibility(anonymous, {"courriel": "a@b.ca"}).questions == set()
    identified = one(spec, anonymity=Anonymity.IDENTIFIED)
    valid, form = submit(identified, {"q_courriel": " Parent@Exemple.CA "})
    assert valid and form.values == {"courriel": "Parent@exemple.ca"}
    # Other questions' conditions never see an e-mail address.
    assert engine.expression_value(identified.questions[0], "parent@exemple.ca") is None


def test_missing_required_lists_visible_unanswered_questions(conditional):
    conditional.questions[0].required = True
    conditional.questions[3].required = True
    seen = engine.visibility(conditional, {"ages": ["0-2"]})
    assert [q.code for q in engine.missing_required(conditional, {}, seen)] == ["kids"]


# ---------------------------------------------------------------------------------------------------------- text


def test_text_length_limits_default_to_5000_characters():
    survey = one({"code": "t", "type": "long_text"})
    assert submit(survey, {"q_t": "x" * MAX_TEXT_LENGTH})[0]
    valid, form = submit(survey, {"q_t": "x" * (MAX_TEXT_LENGTH + 1)})
    assert not valid
    assert errors(form) == {"t": ["Your answer is too long: 5\u00a0001 characters; the maximum is 5\u00a0000."]}
    assert form.question_field(survey.questions[0]).raw == "x" * 5001  # kept for the person to shorten


def test_text_settings_cannot_raise_the_limit_above_5000():
    survey = one({"code": "t", "type": "short_text", "settings": {"max_length": 99999, "min_length": 3}})
    assert not submit(survey, {"q_t": "y" * 5001})[0]
    _valid, form = submit(survey, {"q_t": "ab"}, language="en")
    assert errors(form) == {"t": ["Your answer is too short: write at least 3 characters."]}


def test_text_is_cleaned_and_line_breaks_count_once():
    survey = one({"code": "t", "type": "long_text", "settings": {"max_length": 5}})
    valid, form = submit(survey, {"q_t": "a\r\nb\x00c\r\n"})
    assert valid and form.values == {"t": "a\nbc"}
    assert clean_text("  un\n deux\t", multiline=False) == "un deux"


def test_required_text_and_enforce_required():
    survey = one({"code": "t", "type": "short_text", "required": True})
    valid, form = submit(survey, {"q_t": "   "})
    assert not valid and errors(form) == {"t": ["Enter your answer."]}
    assert submit(survey, {"q_t": ""}, enforce_required=False)[0]


# ------------------------------------------------------------------------------------------------------- choices


def test_single_choice_refuses_unknown_codes_and_several_values():
    survey = one({"code": "c", "type": "single_choice", "choices": ["a", "b"]})
    assert submit(survey, {"q_c": "b"})[1].values == {"c": "b"}
    for data in ({"q_c": "zzz"}, MultiDict([("q_c", "a"), ("q_c", "b")])):
        valid, form = submit(survey, data)
        assert not valid and errors(form) == {"c": ["Choose one of the options shown."]}


def test_other_please_specify():
    survey = one({"code": "c", "type": "single_choice", "choices": ["a"], "settings": {"other": True}})
    valid, form = submit(survey, {"q_c": "other", "q_c:other": ""})
    assert errors(form) == {"c": ["Please specify your “other” answer."]}
    valid, form = submit(survey, {"q_c": "other", "q_c:other": " Grand-maman "})
    assert valid and form.values == {"c": "other", "c:other": "Grand-maman"}
    valid, form = submit(survey, {"q_c": "a", "q_c:other": "ignoré"})
    assert form.values == {"c": "a"}


def test_other_code_does_not_clash_with_a_real_option():
    survey = one({"code": "c", "type": "single_choice", "choices": ["other"], "settings": {"other": True}})
    field = engine.make_page_form(survey, survey.pages)().question_field(survey.questions[0])
    assert [o.value for o in field.options] == ["other", "_other"]


def test_dropdown_and_territory():
    survey = one({"code": "c", "type": "single_choice", "choices": ["a"], "settings": {"display": "dropdown"}})
    field = engine.make_page_form(survey, survey.pages)().question_field(survey.questions[0])
    assert field.dropdown
    territory = one({"code": "t", "type": "territory", "required": True})
    assert submit(territory, {"q_t": "SHE"})[1].values == {"t": "SHE"}
    valid, form = submit(territory, {"q_t": "MTL"})
    assert not valid and errors(form) == {"t": ["Choose one of the options shown."]}


def test_multiple_choice_min_and_max_selections():
    survey = one(
        {
            "code": "m",
            "type": "multiple_choice",
            "choices": ["a", "b", "c", "d"],
            "settings": {"min_selections": 2, "max_selections": 3},
        }
    )
    assert submit(survey, {})[0]  # unanswered and optional
    data = MultiDict([("q_m", "c"), ("q_m", "a"), ("q_m", "c")])
    assert submit(survey, data)[1].values == {"m": ["a", "c"]}
    _valid, form = submit(survey, {"q_m": "a"}, language="en")
    assert errors(form) == {"m": ["Choose at least 2 answers."]}
    _valid, form = submit(survey, MultiDict([("q_m", c) for c in "abcd"]))
    assert errors(form) == {"m": ["Choose at most 3 answers."]}
    _valid, form = submit(survey, MultiDict([("q_m", "a"), ("q_m", "x")]))
    assert errors(form) == {"m": ["Choose one of the options shown."]}


def test_yes_no_and_rating():
    survey = build(
        [
            {
                "questions": [
                    {"code": "yn", "type": "yes_no", "required": True},
                    {"code": "r", "type": "rating", "settings": {"scale": 4, "low_label_fr": "Pas du tout"}},
                ]
            }
        ]
    )
    valid, form = submit(survey, {"q_yn": "no", "q_r": "4"})
    assert valid and form.values == {"yn": "no", "r": 4}
    rating = form.question_field(survey.questions[1])
    assert [o.label for o in rating.options] == ["1 – Pas du tout", "2", "3", "4"]
    valid, form = submit(survey, {"q_yn": "peut-être", "q_r": "5"})
    assert errors(form) == {"yn": ["Choose one of the options shown."], "r": ["Choose one of the options shown."]}
    valid, form = submit(survey, {})
    assert errors(form) == {"yn": ["Choose an answer."]}


# ------------------------------------------------------------------------------------------------------ numbers


@pytest.mark.parametrize(
    ("settings", "typed", "expected"),
    [
        ({}, "12", Decimal(12)),
        ({}, " 1 200 ", Decimal(1200)),
        ({"decimal": True}, "2,5", Decimal("2.5")),
        ({"decimal": True}, "-0.25", Decimal("-0.25")),
        ({"min": 0, "max": 10}, "10", Decimal(10)),
    ],
)
def test_numbers_accepted(settings, typed, expected):
    valid, form = submit(one({"code": "n", "type": "numeric", "settings": settings}), {"q_n": typed})
    assert valid and form.values == {"n": expected}


@pytest.mark.parametrize(
    ("settings", "typed", "message"),
    [
        ({}, "2,5", "Enter a whole number, for example 12."),
        ({}, "douze", "Enter a whole number, for example 12."),
        ({"decimal": True}, "1e5", "Enter a number, for example 12 or 2,5."),
        ({"decimal": True}, "NaN", "Enter a number, for example 12 or 2,5."),
        ({}, "9" * 40, "This number is too large."),
        ({"min": 0, "max": 10}, "11", "Enter a number from 0 to 10."),
        ({"min": 1}, "0", "Enter a number of at least 1."),
        ({"max": 5}, "6", "Enter a number of at most 5."),
    ],
)
def test_numbers_refused(settings, typed, message):
    valid, form = submit(one({"code": "n", "type": "numeric", "settings": settings}), {"q_n": typed})
    assert not valid and errors(form) == {"n": [message]}


def test_dates():
    survey = one({"code": "d", "type": "date", "settings": {"min": "2020-01-01", "max": "2030-12-31"}})
    assert submit(survey, {"q_d": "2025-03-31"})[1].values == {"d": date(2025, 3, 31)}
    assert submit(survey, {"q_d": "31/03/2025"})[1].values == {"d": date(2025, 3, 31)}
    _valid, form = submit(survey, {"q_d": "2025-02-30"})
    assert errors(form) == {"d": ["Enter a valid date, for example 2025-03-31."]}
    _valid, form = submit(survey, {"q_d": "2019-12-31"}, language="en")
    assert errors(form) == {"d": ["Enter a date from January 1, 2020 to December 31, 2030."]}
    assert parse_date("0001-01-01") is None and parse_date("2025-1-5") == date(2025, 1, 5)


# ---------------------------------------------------------------------------------------------- ranking, matrix


def test_ranking():
    survey = one({"code": "rk", "type": "ranking", "choices": ["a", "b", "c"]})
    valid, form = submit(survey, {"q_rk:a": "2", "q_rk:c": "1", "q_rk:b": ""})
    assert valid and form.values == {"rk": ["c", "a"]}
    valid, form = submit(survey, {"q_rk:a": "1", "q_rk:b": "1"})
    assert errors(form) == {"rk": ["Give each option a different rank."]}
    valid, form = submit(survey, {"q_rk:a": "4"})
    assert errors(form) == {"rk": ["Choose a rank from the list."]}
    survey.questions[0].required = True
    valid, form = submit(survey, {"q_rk:a": "1"})
    assert errors(form) == {"rk": ["Rank every option."]}


def test_matrix_one_answer_per_row():
    survey = one({"code": "m", "type": "matrix", "choices": ["1", "2", "3"], "rows": ["r1", "r2"], "required": True})
    valid, form = submit(survey, {"q_m:r1": "3", "q_m:r2": "1", "q_m:inconnue": "2"})
    assert valid and form.values == {"m": {"r1": "3", "r2": "1"}}
    valid, form = submit(survey, {"q_m:r1": "3"})
    assert errors(form) == {"m": ["Answer every row."]}
    valid, form = submit(survey, {"q_m:r1": "9", "q_m:r2": "1"})
    assert errors(form) == {"m": ["Choose one of the options shown."]}


def test_note_has_no_answer():
    survey = one({"code": "n", "type": "note", "required": True})
    valid, form = submit(survey, {"q_n": "anything"})
    assert valid and form.values == {}


# --------------------------------------------------------------------------------------------------- constraints


def test_constraint_with_dot_and_bilingual_message():
    survey = build(
        [
            {
                "questions": [
                    {"code": "adults", "type": "numeric"},
                    {
                        "code": "kids",
                        "type": "numeric",
                        "constraint": ". <= 12 and . != ${adults}",
                        "constraint_message_fr": "Au plus 12 enfants, et pas autant que d’adultes.",
                        "constraint_message_en": "At most 12 children, and not as many as adults.",
                    },
                ]
            }
        ]
    )
    assert submit(survey, {"q_adults": "2", "q_kids": "3"})[0]
    _valid, form = submit(survey, {"q_adults": "2", "q_kids": "13"})
    assert errors(form) == {"kids": ["Au plus 12 enfants, et pas autant que d’adultes."]}
    _valid, form = submit(survey, {"q_adults": "2", "q_kids": "2"}, language="en")
    assert errors(form) == {"kids": ["At most 12 children, and not as many as adults."]}
    # No constraint on an empty answer; a default message when none is written.
    assert submit(survey, {"q_adults": "2"})[0]
    survey.questions[1].constraint_message_fr = survey.questions[1].constraint_message_en = ""
    assert errors(submit(survey, {"q_kids": "20"})[1]) == {"kids": ["This answer is not valid."]}


def test_constraint_on_text_and_choices():
    survey = build(
        [
            {
                "questions": [
                    {"code": "t", "type": "short_text", "constraint": ". != 'non'"},
                    {
                        "code": "m",
                        "type": "multiple_choice",
                        "choices": ["a", "b"],
                        "constraint": "count-selected(.) = 1",
                    },
                ]
            }
        ]
    )
    _valid, form = submit(survey, MultiDict([("q_t", "non"), ("q_m", "a"), ("q_m", "b")]))
    assert sorted(errors(form)) == ["m", "t"]


def test_a_damaged_condition_is_ignored():
    survey = one({"code": "x", "type": "short_text", "relevant": "${", "constraint": "((("})
    valid, form = submit(survey, {"q_x": "ok"})
    assert valid and form.values == {"x": "ok"}


# -------------------------------------------------------------------------------------------------- render plan


def test_plan_hands_same_page_conditions_to_the_browser(conditional):
    form = engine.make_page_form(conditional, [conditional.pages[0]])()
    plan = engine.plan(form, {})
    items = {item.question.code: item.relevant_json for item in plan[0].questions}
    assert items == {
        "kids": None,
        "ages": [">", ["ref", "kids"], ["num", 0]],
        "why_none": ["=", ["ref", "ages"], ["str", ""]],
    }


def test_plan_leaves_out_questions_hidden_by_earlier_pages():
    survey = build(
        [
            {"questions": [{"code": "a", "type": "yes_no"}]},
            {
                "questions": [
                    {"code": "b", "type": "short_text", "relevant": "${a} = 'yes'"},
                    {"code": "c", "type": "note"},
                ]
            },
        ]
    )
    form = engine.make_page_form(survey, [survey.pages[1]])()
    assert [i.question.code for i in engine.plan(form, {"a": "no"})[0].questions] == ["c"]
    assert [(i.question.code, i.relevant_json) for i in engine.plan(form, {"a": "yes"})[0].questions] == [
        ("b", None),
        ("c", None),
    ]


def test_plan_of_several_pages_combines_page_and_question_conditions():
    survey = build(
        [
            {"questions": [{"code": "a", "type": "yes_no"}]},
            {"relevant": "${a} = 'yes'", "questions": [{"code": "b", "type": "short_text", "relevant": "${a} != ''"}]},
        ]
    )
    form = engine.make_page_form(survey, survey.pages)()
    plan = engine.plan(form, {}, single_page=False)
    assert plan[1].questions[0].relevant_json == [
        "and",
        ["=", ["ref", "a"], ["str", "yes"]],
        ["!=", ["ref", "a"], ["str", ""]],
    ]


# ------------------------------------------------------------------------------------------------------- values


def test_values_json_round_trip():
    survey = build(
        [
            {
                "questions": [
                    {"code": "n", "type": "numeric"},
                    {"code": "d", "type": "date"},
                    {"code": "m", "type": "matrix", "choices": ["1"], "rows": ["r"]},
                    {"code": "rk", "type": "ranking", "choices": ["a", "b"]},
                    {"code": "c", "type": "single_choice", "choices": ["a"], "settings": {"other": True}},
                    {"code": "r", "type": "rating"},
                ]
            }
        ]
    )
    values = {
        "n": Decimal("2.5"),
        "d": date(2025, 1, 2),
        "m": {"r": "1"},
        "rk": ["b", "a"],
        "c": "other",
        "c:other": "x",
        "r": 3,
    }
    assert engine.values_from_json(survey, engine.values_to_json(values)) == values
    assert engine.values_from_json(survey, {"n": "abc", "d": 5, "m": [], "r": "3", "zz": 1}) == {}
    assert engine.values_from_json(survey, "not a dict") == {}


def test_loaded_values_show_again():
    survey = build(
        [
            {
                "questions": [
                    {"code": "n", "type": "numeric", "settings": {"decimal": True}},
                    {"code": "rk", "type": "ranking", "choices": ["a", "b"]},
                    {"code": "c", "type": "multiple_choice", "choices": ["a", "b"], "settings": {"other": True}},
                ]
            }
        ]
    )
    form = engine.make_page_form(survey, survey.pages)()
    form.load({"n": Decimal("2.500000"), "rk": ["b", "a"], "c": ["a", "other"], "c:other": "texte"})
    fields = {f.code: f for f in form.question_fields()}
    assert fields["n"].raw == "2.5"
    assert fields["rk"].rank_of(fields["rk"].items[1]) == "1"
    assert fields["c"].selected == ["a", "other"] and fields["c"].other_text == "texte"
    assert form.validate(prior={}) and form.values["c:other"] == "texte"

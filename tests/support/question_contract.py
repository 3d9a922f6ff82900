"""The contract every question type keeps (app/questions/base.py), checked the same way for each: its field accepts a
valid answer and refuses an invalid one, the value goes into Answer columns and comes back unchanged, the export
cells and codebook rows say what was answered, the definition round-trips through JSON, a condition sees the
operand it should. No database and no request: everything is built in memory.

A type gives a :class:`Sample`: a question of that type, what a respondent sends and what each step must produce.
tests/unit/test_question_types.py runs it for every registered type; a type added elsewhere (a test-only type in
tests/integration/test_question_type_extension.py) runs it too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from werkzeug.datastructures import MultiDict

from app.builder.definition import QuestionContext, build_question, check_question
from app.builder.expressions import is_true, parse
from app.models import Anonymity, Survey, SurveyPage
from app.questions import question_type
from app.questions.base import ReadLookup, StoreLookup
from app.questions.fields import OTHER_SUFFIX, other_code
from app.respond import engine
from app.respond.storage import EMPTY_ANSWER

TERRITORIES = [
    SimpleNamespace(id=101, code="SHE", name="Sherbrooke"),
    SimpleNamespace(id=102, code="COA", name="Coaticook"),
]


@dataclass
class Sample:
    """One question of a type and what the contract expects of it. Choice and row ids are given in order from 1."""

    question: dict  # the question in the definition format (its code is the key of everything below)
    valid: dict  # form data a respondent sends (``q_<code>`` and sub-inputs)
    value: Any  # the engine value the field makes of it
    invalid: dict | None  # form data the field refuses… (None: a type without input refuses nothing)
    error: str  # …with a message containing this
    rows: list[dict]  # the Answer columns the value is stored in (besides the ids)
    cells: dict[str, Any]  # export header → cell of that response (CSV and XLSX)
    json: dict[str, Any]  # its answers in the JSON export
    codebook: list[tuple[str, str]]  # (value_kind, value_code) of each codebook row
    operand: Any  # what a condition sees of the value
    condition: str  # a condition true for that answer
    anonymity: Anonymity = Anonymity.ANONYMOUS
    extra: dict = field(default_factory=dict)  # other engine values the same answer gives (an "other" text)

    @property
    def code(self) -> str:
        return self.question["code"]


def normalized(sample: Sample) -> dict:
    """The sample's question as the definition normalizes it; fails on any problem."""
    context = QuestionContext(known={sample.code}, anonymity=sample.anonymity.value)
    errors, result = check_question(sample.question, context)
    assert errors == [], errors
    return result


def build(sample: Sample):
    """An in-memory survey with one page holding the sample's question (ids given), and that question."""
    survey = Survey(slug="contrat", title_fr="Contrat", title_en="Contract", anonymity=sample.anonymity)
    page = SurveyPage(position=0, relevant="")
    survey.pages.append(page)
    question = build_question(survey, normalized(sample), 0)
    question.id = 1
    for index, choice in enumerate(question.all_choices, start=1):
        choice.id = index
    page.questions.append(question)
    return survey, question


def submit(survey: Survey, data: dict):
    form_class = engine.make_page_form(survey, survey.pages, language="fr", territories=TERRITORIES)
    form = form_class(formdata=MultiDict(data))
    return form.validate(prior={}), form


class Layout:
    """What a type's export columns read of app.exports.export.Layout: codes, not labels."""

    labels = False
    language = "fr"

    def __init__(self, question) -> None:
        self.choices = {c.id: c for c in question.all_choices}
        self.territories = {t.id: t.code for t in TERRITORIES}

    def value_of(self, choice_id):
        choice = self.choices.get(choice_id)
        return None if choice is None else choice.code


def stored_rows(rows: list[dict]) -> list[SimpleNamespace]:
    """Answer rows as the queries return them."""
    return [
        SimpleNamespace(**{**EMPTY_ANSWER, **fields, "id": index, "response_id": 1, "question_id": 1})
        for index, fields in enumerate(rows, start=1)
    ]


# ------------------------------------------------------------------------------------------------- the checks


def check_field(sample: Sample) -> None:
    survey, _question = build(sample)
    valid, form = submit(survey, sample.valid)
    assert valid, {f.code: [str(e) for e in f.errors] for f in form.failing}
    assert form.values == ({sample.code: sample.value} if sample.value is not None else {}) | sample.extra
    if sample.invalid is None:  # nothing typed counts: a text block has no value, a computed value its own
        accepted, form = submit(survey, {f"q_{sample.code}": "anything"})
        assert accepted and form.values == ({sample.code: sample.value} if sample.value is not None else {})
        return
    refused, form = submit(survey, sample.invalid)
    messages = [str(e) for f in form.failing for e in f.errors]
    assert not refused and any(sample.error in m for m in messages), messages


def check_storage(sample: Sample) -> None:
    _survey, question = build(sample)
    qtype = question_type(question)
    values = {sample.code: sample.value, **sample.extra}
    lookup = StoreLookup(
        options={c.code: c.id for c in question.choices},
        rows={r.code: r.id for r in question.rows},
        other=other_code(question) if question.setting("other") else None,
        territory_ids={t.code: t.id for t in TERRITORIES},
    )
    if not qtype.stores_answers:  # nothing in Answer rows (an e-mail is kept apart, a note has no answer)
        assert sample.rows == []
        return
    rows = qtype.answer_rows(sample.value, values.get(sample.code + OTHER_SUFFIX), lookup)
    assert rows == sample.rows
    read = ReadLookup({c.id: c for c in question.all_choices}, {t.id: t.code for t in TERRITORIES})
    assert qtype.read_value(question, stored_rows(rows), read) == values


def check_exports(sample: Sample) -> None:
    _survey, question = build(sample)
    qtype = question_type(question)
    if not qtype.stores_answers:  # never exported (app/exports/export.py keeps the questions that store answers)
        assert sample.cells == sample.json == {} and sample.codebook == []
        return
    layout = Layout(question)
    answers = {question.id: stored_rows(sample.rows)}
    assert {c.name: c.get(answers) for c in qtype.export_columns(question, layout)} == sample.cells
    assert qtype.export_value(question, stored_rows(sample.rows), layout) == sample.json
    codebook = list(qtype.codebook_rows(question, TERRITORIES))
    assert codebook[0][:4] == (sample.code, question.type, question.label_fr, question.label_en)
    assert all(row[:2] == (sample.code, question.type) for row in codebook)
    assert [(row[4], row[5]) for row in codebook[1:]] == sample.codebook


def check_definition(sample: Sample) -> None:
    _survey, question = build(sample)
    exported = question_type(question).to_definition(question)
    assert exported == normalized(sample)
    assert normalized(Sample(**{**sample.__dict__, "question": exported})) == exported


def check_operand(sample: Sample) -> None:
    _survey, question = build(sample)
    operand = question_type(question).operand(sample.value)
    assert operand == sample.operand
    assert is_true(parse(sample.condition), {sample.code: operand})


CHECKS = (check_field, check_storage, check_exports, check_definition, check_operand)

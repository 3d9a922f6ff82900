"""A test respondent for any questionnaire: it reads each respondent page's inputs (radios, checkboxes, lists,
text, number, date and time inputs) and answers them with plausible values, trying the next candidate value of an
input the page refuses (a constraint, a range) until the page is accepted, then goes on to the next page until the
questionnaire is sent. Used on imported XLSForms (tests/integration/test_xlsform_completion.py), whose questions it
does not know in advance."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from html import unescape
from html.parser import HTMLParser
from typing import Any

from werkzeug.datastructures import MultiDict

from tests.integration.respond_helpers import Respondent

TEXTS = [
    "1",
    "Test",
    "TEST",
    "DUPONT Jean",
    "Jean Dupont",
    "12345",
    "abc",
    "A1",
    "0123456789",
    "01234567890",
    "2024",
    "test@example.org",
    "Oui",
    "x",
    "N",
    "99",
]
NUMBERS = ["1", "2", "0", "5", "10", "3", "20", "100", "18", "25", "50", "1000", "30", "4", "60", "1.5"]
DATES = ["2024-03-15", date.today().isoformat(), "2020-01-01", "2025-06-30", "2000-05-05", "1990-01-01"]
TIMES = ["10:30", "08:00", "14:00", "23:00"]
DATE_TIMES = ["2024-03-15T10:30", f"{date.today().isoformat()}T08:00"]
POINTS = ["46.8139 -71.208", "0 0", "-10.5 30.25"]
PRIOR = re.compile(r'<script[^>]*id="prior-answers"[^>]*>(.*?)</script>', re.S)
ERROR_LINK = re.compile(r'<li><a href="#([^"]+)">')


@dataclass
class Input:
    name: str
    kind: str  # radio, checkbox, select, select-multiple, text, number, date, time, datetime-local, textarea
    values: list[str] = field(default_factory=list)  # options of a choice
    minimum: float | None = None
    maximum: float | None = None
    inputmode: str = ""
    #: A cascade's choice_filter (data-choice-filter) and each option's choices-sheet columns (data-choice): what
    #: conditions.js reads to show only the options that fit the answers given on the page.
    filter: Any = None
    columns: dict[str, Any] = field(default_factory=dict)


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inputs: dict[str, Input] = {}
        self.in_form = False
        self.select: Input | None = None
        self.pending_filter: Any = None  # the data-choice-filter of the list of options being read

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "survey-form" in (a.get("class") or ""):
            self.in_form = True
        if not self.in_form:
            return
        if tag == "ul" and a.get("data-choice-filter"):
            self.pending_filter = json.loads(a["data-choice-filter"])
        name = a.get("name") or ""
        if not name.startswith("q_") and tag != "option":
            return
        if tag == "input":
            kind = a.get("type") or "text"
            if kind in {"hidden", "submit"}:
                return
            item = self.inputs.setdefault(name, Input(name, kind, inputmode=a.get("inputmode") or ""))
            if kind in {"radio", "checkbox"}:
                item.values.append(a.get("value") or "")
                if a.get("data-choice") is not None:
                    item.filter, item.columns[a.get("value") or ""] = self.pending_filter, json.loads(a["data-choice"])
            item.minimum = _number(a.get("min"))
            item.maximum = _number(a.get("max"))
        elif tag == "textarea":
            self.inputs.setdefault(name, Input(name, "textarea"))
        elif tag == "select":
            self.select = self.inputs.setdefault(name, Input(name, "select-multiple" if "multiple" in a else "select"))
            if a.get("data-choice-filter"):
                self.select.filter = json.loads(a["data-choice-filter"])
        elif tag == "option" and self.select is not None and a.get("value"):
            self.select.values.append(a["value"])
            if a.get("data-choice") is not None:
                self.select.columns[a["value"]] = json.loads(a["data-choice"])

    def handle_endtag(self, tag):
        if tag == "ul":
            self.pending_filter = None
        if tag == "select":
            self.select = None
        if tag == "form":
            self.in_form = False


def _number(text):
    try:
        return float(text) if text else None
    except ValueError:
        return None


def candidates(item: Input) -> list[list[str]]:
    """The answers to try for an input, each a list of values to send; [] (leave it empty) comes last."""
    if item.kind in {"radio", "select"}:
        ordered = [v for v in item.values if not v.endswith("other")] + [v for v in item.values if v.endswith("other")]
        return [[v] for v in ordered]
    if item.kind in {"checkbox", "select-multiple"}:
        plain = [v for v in item.values if not v.endswith("other")]
        return [[v] for v in plain] + ([plain[:2]] if len(plain) > 1 else [])
    if item.kind == "number":
        fitting = [
            n
            for n in NUMBERS
            if (item.minimum is None or float(n) >= item.minimum) and (item.maximum is None or float(n) <= item.maximum)
        ]
        if item.minimum is not None:
            fitting.append(str(int(item.minimum)) if item.minimum.is_integer() else str(item.minimum))
        return [[n] for n in fitting]
    if item.kind == "date":
        return [[d] for d in DATES]
    if item.kind == "time":
        return [[t] for t in TIMES]
    if item.kind == "datetime-local":
        return [[t] for t in DATE_TIMES]
    if item.inputmode == "decimal":
        return [[p] for p in POINTS]
    return [[t] for t in TEXTS]


class FormFiller(Respondent):
    """Answers every page of a questionnaire; ``complete()`` says whether it reached the end."""

    def __init__(self, client) -> None:
        super().__init__(client)
        self.pages = 0
        self.submissions = 0
        self.stuck: list[str] = []

    def inputs(self) -> dict[str, Input]:
        parser = _PageParser()
        parser.feed(self.html)
        return {name: item for name, item in parser.inputs.items() if ":" not in name[2:]}

    def complete(self, start_url: str, *, max_pages: int = 400, max_tries: int = 60) -> bool:
        self.start(start_url)
        while self.pages < max_pages:
            if "/thanks" in (self.response.request.path if self.response is not None else ""):
                return True
            if 'class="survey-form"' not in self.html:
                return "/thanks" in self.response.request.path
            self.pages += 1
            if not self.answer_page(max_tries):
                return False
        return False

    def fitting(self, item: Input, chosen: dict[str, list[str]], prior: dict) -> list[list[str]]:
        """A cascade's candidates as a person sees them with JavaScript: the options whose columns fit the answers
        chosen so far on the page (all of them when none fits)."""
        from app.builder.expressions import from_json, is_true

        expr = from_json(item.filter)
        answers = {**prior, **{n[2:]: v if len(v) != 1 else v[0] for n, v in chosen.items() if v}}
        fits = []
        for value in item.values:
            for row in (
                item.columns.get(value, {})
                if isinstance(item.columns.get(value), list)
                else [item.columns.get(value) or {}]
            ):
                values = {**answers, "__choice.name": value, **{f"__choice.{k}": v for k, v in row.items()}}
                if is_true(expr, values):
                    fits.append([value])
                    break
        return fits or candidates(item)

    def answer_page(self, max_tries: int) -> bool:
        inputs = self.inputs()
        choice = dict.fromkeys(inputs, 0)
        options = {name: candidates(item) for name, item in inputs.items()}
        found = PRIOR.search(self.html)
        prior = json.loads(unescape(found.group(1))) if found else {}
        for _attempt in range(max_tries):
            chosen: dict[str, list[str]] = {}
            for name, item in inputs.items():  # in page order: a cascade follows the answers chosen before it
                if item.filter is not None:
                    options[name] = self.fitting(item, chosen, prior)
                index = choice[name]
                chosen[name] = options[name][index] if 0 <= index < len(options[name]) else []
            answers = MultiDict()
            for name, index in choice.items():
                if 0 <= index < len(options[name]):
                    for value in options[name][index]:
                        answers.add(name, value)
            self.submissions += 1
            self.send(list(answers.items(multi=True)))  # every box ticked (a MultiDict is a dict)
            if self.response.status_code != 422:
                return self.response.status_code == 200
            failing = {unescape(anchor).split(":")[0] for anchor in ERROR_LINK.findall(self.html)}
            failing = {name for name in failing if name in choice}
            if not failing:
                self.stuck = [f"page {self.pages}: refused without a field"]
                return False
            for name in failing:
                choice[name] += 1
                if choice[name] > len(options[name]):  # every candidate and leaving it empty refused
                    self.stuck = [f"page {self.pages}: {name}"]
                    return False
        self.stuck = [f"page {self.pages}: too many tries"]
        return False

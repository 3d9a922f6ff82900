"""Ranking: the respondent gives each of the question's choices a different rank (1 = first); ``rank list_name``
in XLSForm. One Answer row per ranked option (``rank``); results give the average rank and the first places."""

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.models import QuestionType
from app.questions.base import Column, text_of
from app.questions.fields import SUB, Option
from app.questions.parts import PartsField, PartsType
from app.questions.summaries import RankRow, as_float, share
from app.web.i18n import localized


class RankingQuestionField(PartsField):
    """A rank (1..N) chosen for each option: ``q_<code>:<option>``. The value lists the codes, first ranked first."""

    required_message = _l("Rank every option.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = self.parts = [
            Option(choice.code, localized(choice, "label", self.language), f"{self.id}{SUB}{index}")
            for index, choice in enumerate(self.question.choices)
        ]
        self.ranks: dict[str, int] = {}
        self.raw_ranks: dict[str, str] = {}

    @property
    def error_anchor(self) -> str:
        return self.items[0].id if self.items else self.id

    def make_rule(self) -> Any:
        return _l("Give each option a different rank: 1 for the first, %(count)d for the last.", count=len(self.items))

    def parse(self, formdata) -> list[str] | None:
        size = len(self.items)
        self.raw_ranks = {item.value: str(formdata.get(self.input_name(item), ""))[:10] for item in self.items}
        self.ranks = {}
        for code, raw in self.raw_ranks.items():
            if raw.strip() == "":
                continue
            if not raw.strip().isdigit() or not 1 <= int(raw) <= size:
                raise ValueError(_l("Choose a rank from the list."))
            self.ranks[code] = int(raw)
        if len(set(self.ranks.values())) != len(self.ranks):
            raise ValueError(_l("Give each option a different rank."))
        if not self.ranks:
            return None
        return sorted(self.ranks, key=self.ranks.__getitem__)

    def load(self, value, other_text=None) -> None:
        known = {item.value for item in self.items}
        codes = [code for code in (value or []) if code in known]
        self.ranks = {code: rank for rank, code in enumerate(codes, start=1)}
        self.raw_ranks = {code: str(rank) for code, rank in self.ranks.items()}
        self.data = codes or None

    def rank_of(self, item: Option) -> str:
        return self.raw_ranks.get(item.value, "")


class RankingType(PartsType):
    key = QuestionType.RANKING
    label = _l("Ranking")
    field_class = RankingQuestionField
    xlsform_types = ("rank",)
    xlsform_order = 12

    def xlsform_settings(self, row, question, *, other):
        if other:
            row.problem("type", _("A ranking question cannot have “or_other”."))
            return False
        return True

    def value_from_json(self, value):
        return [v for v in value if isinstance(v, str)] if isinstance(value, list) else None

    def answer_rows(self, value, other_text, lookup):
        return [
            {"choice_id": lookup.options[code], "rank": rank}
            for rank, code in enumerate((c for c in value if c in lookup.options), start=1)
        ]

    def read_value(self, question, rows, lookup):
        pairs = []
        for row in rows:
            code = lookup.code_of(row.choice_id)
            if code is not None and row.rank is not None:
                pairs.append((row.rank, code))
        return {question.code: [code for _rank, code in sorted(pairs)]} if pairs else {}

    def summarize(self, question, result, figures):
        ranked = {r.choice_id: r for r in figures.categories.get(question.id, []) if r.choice_id is not None}
        count = result.answered
        for choice in question.choices:
            row = ranked.get(choice.id)
            firsts = int(row.firsts or 0) if row else 0
            result.ranking.append(
                RankRow(
                    localized(choice, "label"),
                    as_float(row.average_rank) if row else None,
                    firsts,
                    row.answers if row else 0,
                    share(firsts, count),
                )
            )
        result.ranking.sort(key=lambda r: (r.average is None, r.average or 0))

    def chart(self, result, chart_id, draw):
        if not result.ranking:
            return None
        bars = [(r.label, r.first, _("%(num)d first", num=r.first)) for r in result.ranking]
        return draw.bars(chart_id, _("%(question)s — first places", question=result.label), bars)

    def export_columns(self, question, layout):
        qid, label = question.id, text_of(question, layout.language)
        columns = []
        for rank in range(1, len(question.choices) + 1):

            def ranked(a, rank: int = rank):
                return next((layout.value_of(r.choice_id) for r in a.get(qid, ()) if r.rank == rank), None)

            columns.append(Column(f"{question.code}/{rank}", f"{label} — {rank}", ranked))
        return columns

    def export_value(self, question, rows, layout):
        return {question.code: [layout.value_of(r.choice_id) for r in sorted(rows, key=lambda r: r.rank or 0)]}

    def synthetic_value(self, question, plan, english, values):
        order = [code for code, _id in plan.options[question.id]]
        plan.rng.shuffle(order)
        return order or None

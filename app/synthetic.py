"""Synthetic responses for any survey: the demo (``seed-demo --responses N``), the benchmarks and the tests.

Plausible rather than random: choices follow skewed weights, numbers stay inside their ranges, ratings lean to one
side, free texts are French (or English) sentences from a small bank, a share of responses is left in progress
(answering the first questions only), territories are spread unevenly, dates are spread over the consultation.
Display conditions are respected (answers to hidden questions are not stored), as the respondent side would.

Written with bulk inserts (Core ``insert()`` with lists of dicts, in chunks): no ORM object per row. Deterministic:
the same ``seed``, survey and starting count give the same rows.

Moderation items: completed responses' open texts and "other" texts become pending items, created in bulk too
(as :func:`app.moderation.items.items_from_response` would one by one). Their personal-information scan is done
once per distinct text (the bank is small), so the queue shows what the detector would flag.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    Answer,
    ItemSource,
    ItemState,
    ModerationItem,
    Question,
    QuestionType,
    Response,
    ResponseChannel,
    ResponseStatus,
    Survey,
    Territory,
)
from app.models.surveys import TEXT_TYPES
from app.respond import engine
from app.respond.fields import other_code
from app.respond.storage import EMPTY_ANSWER, answer_fields

CHUNK = 2_000  # responses per round of inserts

SHORT_TEXTS_FR = [
    "Directrice",
    "Enseignant au primaire",
    "Responsable des ressources humaines",
    "Propriétaire",
    "Éducatrice en petite enfance",
    "Coordonnatrice",
    "Gérant de magasin",
    "Technicienne en administration",
]
SHORT_TEXTS_EN = ["Director", "Teacher", "HR manager", "Owner", "Coordinator"]
SENTENCES_FR = [
    "Il manque de places en garderie dans notre secteur.",
    "Les activités d’éveil à la lecture à la bibliothèque sont très appréciées.",
    "Le transport est difficile sans voiture en milieu rural.",
    "Des horaires plus souples aideraient les familles qui travaillent de soir.",
    "On aimerait plus d’activités parents-enfants la fin de semaine.",
    "Les délais pour voir une orthophoniste sont beaucoup trop longs.",
    "L’information sur les services existants est difficile à trouver.",
    "Une halte-garderie près de l’école serait très utile.",
    "Les jeunes travaillent trop d’heures pendant l’année scolaire.",
    "Il faudrait mieux faire connaître les métiers de la formation professionnelle.",
    "Des stages en entreprise dès le secondaire motiveraient les élèves.",
    "Le coût des activités est un frein pour plusieurs familles.",
    "Merci de nous consulter, c’est important pour la région.",
    "Les services en anglais sont rares dans notre municipalité.",
    "Plus de soutien pour les nouveaux arrivants et leurs enfants.",
    "Les heures d’ouverture du CLSC ne conviennent pas aux parents qui travaillent.",
]
SENTENCES_EN = [
    "There are not enough daycare spots in our area.",
    "Reading activities at the library are very helpful.",
    "Getting to activities without a car is hard in the countryside.",
    "More services in English would help our family.",
    "Flexible hours would help parents who work evenings.",
]
OTHER_TEXTS_FR = ["Grand-parents", "Voisine", "Garderie en milieu familial", "Autre organisme", "Cousine"]
OTHER_TEXTS_EN = ["Grandparents", "Neighbour", "Home daycare"]


@dataclass(frozen=True)
class Generated:
    """What :func:`generate_responses` wrote."""

    responses: int
    complete: int
    answers: int
    moderation_items: int


def top_up(
    survey: Survey,
    target: int,
    *,
    seed: int = 0,
    start: datetime,
    end: datetime,
    territory_weights: Mapping[int, float] | None = None,
    moderation_items: bool = True,
) -> Generated:
    """Add synthetic responses until ``survey`` has ``target`` responses (none when it already has as many)."""
    existing = db.session.scalar(sa.select(sa.func.count(Response.id)).where(Response.survey_id == survey.id)) or 0
    return generate_responses(
        survey,
        max(0, target - existing),
        seed=seed,
        offset=existing,
        start=start,
        end=end,
        territory_weights=territory_weights,
        moderation_items=moderation_items,
    )


def generate_responses(
    survey: Survey,
    count: int,
    *,
    seed: int = 0,
    offset: int = 0,
    start: datetime,
    end: datetime,
    in_progress_share: float = 0.15,
    territory_weights: Mapping[int, float] | None = None,
    moderation_items: bool = True,
    chunk_size: int = CHUNK,
) -> Generated:
    """Insert ``count`` synthetic responses to ``survey`` started between ``start`` and ``end`` (aware datetimes).

    ``territory_weights`` maps territory ids to relative weights (default: every territory, uneven weights drawn
    from the seed). ``offset`` makes a top-up differ from the first batch while staying deterministic. Flushes
    through the session's connection; the caller commits.
    """
    if count <= 0:
        return Generated(0, 0, 0, 0)
    rng = random.Random(f"{seed}:{survey.id}:{offset}")  # noqa: S311 - synthetic data, not security
    plan = _Plan(survey, rng, territory_weights, start, end, in_progress_share)
    done = Generated(0, 0, 0, 0)
    for first in range(0, count, chunk_size):
        n = min(chunk_size, count - first)
        done = _sum(done, _write_chunk(plan, n, moderation_items))
    return done


def _sum(a: Generated, b: Generated) -> Generated:
    return Generated(*(x + y for x, y in zip(_fields(a), _fields(b), strict=True)))


def _fields(g: Generated) -> tuple[int, int, int, int]:
    return (g.responses, g.complete, g.answers, g.moderation_items)


# ------------------------------------------------------------------------------------------------------- plan


class _Plan:
    """Everything about the survey computed once: questions in order, choice ids, weights."""

    def __init__(
        self,
        survey: Survey,
        rng: random.Random,
        territory_weights: Mapping[int, float] | None,
        start: datetime,
        end: datetime,
        in_progress_share: float,
    ) -> None:
        if start.tzinfo is None or end.tzinfo is None or end <= start:
            raise ValueError("start and end must be aware datetimes, start before end")
        self.survey = survey
        self.rng = rng
        self.start, self.span = start, (end - start).total_seconds()
        self.in_progress_share = in_progress_share
        questions = [q for q in survey.ordered_questions() if q.type.is_answerable and q.type is not QuestionType.EMAIL]
        self.page_of = {q.code: index for index, page in enumerate(survey.pages) for q in page.questions}
        self.options = {q.id: [(c.code, c.id) for c in q.choices] for q in questions}
        self.rows = {q.id: [(c.code, c.id) for c in q.rows] for q in questions}
        self.option_ids = {q.id: {c.code: c.id for c in q.choices} for q in questions}
        self.row_ids = {q.id: {c.code: c.id for c in q.rows} for q in questions}
        self.others = {q.id: other_code(q) for q in questions if q.setting("other")}
        self.questions = [_Question(q) for q in questions]  # plain attributes: no ORM access in the loops
        self.conditional = any(q.relevant for q in questions) or any(p.relevant for p in survey.pages)
        # Skewed preferences: each question has its favourite options.
        self.weights = {q.id: [rng.random() ** 2 + 0.05 for _ in self.options[q.id]] for q in self.questions}
        self.open_ids = {q.id for q in self.questions if q.type in TEXT_TYPES and q.setting("open")}
        if territory_weights is None:
            ids = list(db.session.scalars(sa.select(Territory.id).order_by(Territory.id)))
            territory_weights = {tid: rng.random() ** 1.5 + 0.1 for tid in ids}
        self.territory_ids = list(territory_weights)
        self.territory_w = list(territory_weights.values())
        codes = dict(db.session.execute(sa.select(Territory.id, Territory.code)).all()) if self.territory_ids else {}
        self.territory_code = {tid: codes.get(tid) for tid in self.territory_ids}
        self.territory_by_code = {code: tid for tid, code in self.territory_code.items()}

    # ------------------------------------------------------------------------------------------------ values

    def values(self, english: bool) -> dict[str, Any]:
        """One respondent's answers, as engine values (codes), every question answered or skipped."""
        rng = self.rng
        values: dict[str, Any] = {}
        for q in self.questions:
            if not q.required and rng.random() < (0.35 if q.type in TEXT_TYPES else 0.08):
                continue
            value = self._value(q, english, values)
            if value is not None:
                values[q.code] = value
        return values

    def _value(self, q: Question, english: bool, values: dict[str, Any]) -> Any:
        rng, kind = self.rng, q.type
        options = self.options[q.id]
        if kind is QuestionType.TERRITORY:
            if not self.territory_ids:
                return None
            return self.territory_code[rng.choices(self.territory_ids, self.territory_w)[0]]
        if kind is QuestionType.SINGLE_CHOICE:
            if q.id in self.others and rng.random() < 0.05:
                values[q.code + engine.OTHER_SUFFIX] = rng.choice(OTHER_TEXTS_EN if english else OTHER_TEXTS_FR)
                return self.others[q.id]
            return rng.choices(options, self.weights[q.id])[0][0] if options else None
        if kind is QuestionType.MULTIPLE_CHOICE:
            low = max(1, int(q.setting("min_selections") or 1))
            high = int(q.setting("max_selections") or len(options) or 1)
            chosen = [code for (code, _), w in zip(options, self.weights[q.id], strict=True) if rng.random() < w * 0.7]
            if len(chosen) < low and options:
                chosen = [c for c, _ in rng.sample(options, min(low, len(options)))]
            if q.id in self.others and rng.random() < 0.06:
                values[q.code + engine.OTHER_SUFFIX] = rng.choice(OTHER_TEXTS_EN if english else OTHER_TEXTS_FR)
                chosen.append(self.others[q.id])
            return chosen[:high] or None
        if kind is QuestionType.YES_NO:
            return "yes" if rng.random() < 0.62 else "no"
        if kind is QuestionType.RATING:
            scale = int(q.setting("scale") or 5)
            return max(1, min(scale, round(rng.triangular(1, scale, scale * 0.75))))
        if kind is QuestionType.NUMERIC:
            return self._number(q)
        if kind is QuestionType.DATE:
            return _date_in(q, rng)
        if kind is QuestionType.RANKING:
            order = [c for c, _ in options]
            rng.shuffle(order)
            return order or None
        if kind is QuestionType.MATRIX:
            answered = {
                row: rng.choices(options, self.weights[q.id])[0][0]
                for row, _ in self.rows[q.id]
                if options and rng.random() < 0.95
            }
            return answered or None
        if kind in TEXT_TYPES:
            return _text(q, rng, english)
        return None

    def _number(self, q: Question) -> Decimal:
        rng = self.rng
        low = _num(q.setting("min"), 0)
        high = _num(q.setting("max"), max(low, 0) + 100)
        if high <= low:
            return Decimal(low)
        # Small values are common, large ones rare: a log-like spread over the range.
        span = high - low
        value = low + span * (rng.random() ** 3 if span > 20 else rng.random())
        if q.setting("decimal"):
            return Decimal(str(round(value, 1)))
        return Decimal(min(int(high), max(int(low), round(value))))

    # ------------------------------------------------------------------------------------------------- rows

    def answer_rows(self, response_id: int, values: Mapping[str, Any]) -> list[dict[str, Any]]:
        rows = []
        for q in self.questions:
            value = values.get(q.code)
            if value is None:
                continue
            for fields in self._fields(q, value, values.get(q.code + engine.OTHER_SUFFIX)):
                rows.append({**EMPTY_ANSWER, "response_id": response_id, "question_id": q.id, **fields})
        return rows

    def _fields(self, q: Question, value: Any, other_text: str | None) -> list[dict[str, Any]]:
        return answer_fields(
            q.type,
            value,
            other_text,
            options=self.option_ids[q.id],
            rows=self.row_ids[q.id],
            other=self.others.get(q.id),
            territory_ids=self.territory_by_code,
        )


class _Question:
    """The attributes of a question the generator reads, copied once from the ORM object."""

    __slots__ = ("code", "id", "required", "settings", "type")

    def __init__(self, question: Question) -> None:
        self.id, self.code, self.type = question.id, question.code, question.type
        self.required, self.settings = question.required, dict(question.settings or {})

    def setting(self, key: str, default: Any = None) -> Any:
        return self.settings.get(key, default)


def _num(value: Any, default: float) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _date_in(q: Question, rng: random.Random) -> date:
    low, high = q.setting("min"), q.setting("max")
    try:
        first = date.fromisoformat(str(low)) if low else date.today() - timedelta(days=180)
        last = date.fromisoformat(str(high)) if high else first + timedelta(days=540)
    except ValueError:
        first, last = date.today(), date.today() + timedelta(days=365)
    if last < first:
        last = first
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _text(q: Question, rng: random.Random, english: bool) -> str:
    limit = int(q.setting("max_length") or 2000)
    if q.type is QuestionType.SHORT_TEXT:
        text = rng.choice(SHORT_TEXTS_EN if english else SHORT_TEXTS_FR)
    else:
        bank = SENTENCES_EN if english else SENTENCES_FR
        text = " ".join(rng.sample(bank, rng.choice((1, 1, 2))))
    return text[:limit]


# ------------------------------------------------------------------------------------------------------ write


def _write_chunk(plan: _Plan, n: int, moderation_items: bool) -> Generated:
    rng, survey = plan.rng, plan.survey
    responses, all_values = [], []
    for _ in range(n):
        english = rng.random() < 0.15
        values = plan.values(english)
        if plan.conditional:
            seen = engine.visibility(survey, values).questions
            values = {k: v for k, v in values.items() if k.split(engine.OTHER_SUFFIX)[0] in seen}
        complete = rng.random() >= plan.in_progress_share
        current_page = len(survey.pages) - 1 if survey.pages else 0
        if not complete:  # stopped somewhere: only the questions before that point are answered
            stop = rng.randrange(len(plan.questions)) if plan.questions else 0
            kept = {q.code for q in plan.questions[:stop]}
            values = {k: v for k, v in values.items() if k.split(engine.OTHER_SUFFIX)[0] in kept}
            current_page = plan.page_of.get(plan.questions[stop].code, 0) if plan.questions else 0
        # Responses come more often in the second half of the consultation (reminders, workshops).
        started = plan.start + timedelta(seconds=plan.span * rng.random() ** 0.7)
        minutes = min(90.0, rng.lognormvariate(2.1, 0.5))  # median about 8 minutes
        submitted = started + timedelta(minutes=minutes) if complete else None
        responses.append(
            {
                "survey_id": survey.id,
                "survey_version": survey.version,
                "status": ResponseStatus.COMPLETE if complete else ResponseStatus.IN_PROGRESS,
                "channel": ResponseChannel.PAPER if rng.random() < 0.04 else ResponseChannel.WEB,
                "locale": "en" if english else "fr_CA",
                "started_at": started,
                "submitted_at": submitted,
                "current_page": current_page,
                "resume_token_hash": None,
                "attributes": {},
                "invitation_id": None,
                "entered_by_id": None,
            }
        )
        all_values.append(values)
    table = Response.__table__
    ids = list(
        db.session.execute(sa.insert(table).returning(table.c.id, sort_by_parameter_order=True), responses).scalars()
    )
    answers = []
    for response_id, values in zip(ids, all_values, strict=True):
        answers.extend(plan.answer_rows(response_id, values))
    if answers:
        _insert_answers(answers)
    complete_ids = [rid for rid, r in zip(ids, responses, strict=True) if r["status"] is ResponseStatus.COMPLETE]
    items = _moderation_items(plan, responses, ids, complete_ids) if moderation_items and complete_ids else 0
    return Generated(n, len(complete_ids), len(answers), items)


ANSWER_COLUMNS = ("response_id", "question_id", *EMPTY_ANSWER)


def _insert_answers(answers: list[dict[str, Any]]) -> None:
    """Core ``insert()`` with the list of rows; on PostgreSQL, ``COPY`` through the same connection (the same
    transaction), several times faster for millions of rows."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(sa.insert(Answer.__table__), answers)
        return
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY answers ({', '.join(ANSWER_COLUMNS)}) FROM STDIN") as copy:
        for row in answers:
            copy.write_row(tuple(row[column] for column in ANSWER_COLUMNS))


_SCANNED: dict[tuple[str, str], list[dict[str, Any]]] = {}


def _moderation_items(plan: _Plan, responses: Sequence[dict], ids: Sequence[int], complete_ids: Sequence[int]) -> int:
    """Pending moderation items for the open and "other" texts of the chunk's completed responses."""
    from app.moderation import pii
    from app.moderation.items import language_of, spans_as_json

    if not plan.open_ids and not plan.others:
        return 0
    by_id = dict(zip(ids, responses, strict=True))
    rows = db.session.execute(
        sa.select(Answer.id, Answer.response_id, Answer.question_id, Answer.text_value, Answer.is_other)
        .where(
            Answer.response_id.between(complete_ids[0], complete_ids[-1]),
            Answer.text_value.is_not(None),
            sa.or_(Answer.is_other.is_(True), Answer.question_id.in_(plan.open_ids)),
        )
        .order_by(Answer.id)
    ).all()
    complete = set(complete_ids)
    territory_of = dict(
        db.session.execute(
            sa.select(Answer.response_id, Answer.territory_id).where(
                Answer.response_id.between(complete_ids[0], complete_ids[-1]), Answer.territory_id.is_not(None)
            )
        ).all()
    )
    items = []
    for row in rows:
        if row.response_id not in complete or not (row.text_value or "").strip():
            continue
        response = by_id[row.response_id]
        language = language_of(response["locale"])
        key = (language, row.text_value)
        if key not in _SCANNED:
            _SCANNED[key] = spans_as_json(pii.detect_many([row.text_value], language)[0])
        spans = _SCANNED[key]
        items.append(
            {
                "process_id": plan.survey.process_id,
                "source": ItemSource.OTHER_ANSWER if row.is_other else ItemSource.ANSWER,
                "survey_id": plan.survey.id,
                "question_id": row.question_id,
                "response_id": row.response_id,
                "answer_id": row.id,
                "territory_id": territory_of.get(row.response_id),
                "language": language,
                "text": row.text_value,
                "pii_spans": spans,
                "flagged": bool(spans),
                "state": ItemState.PENDING,
                "version": 1,
                "created_at": response["submitted_at"] or datetime.now(UTC),
            }
        )
    if items:
        db.session.execute(sa.insert(ModerationItem.__table__), items)
    return len(items)

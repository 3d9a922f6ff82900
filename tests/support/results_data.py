"""A survey with responses whose answers are exactly known, built through the ORM (no respondent pages).

Twelve complete responses (1–6 in territory A, 7–12 in territory B) and two in progress. The table below is the
source of the expected numbers in tests/integration/test_results*.py:

 #  age      needs              works rating kids rank   grid(r1,r2) where lang  submitted   group
 1  0-2      garde,lecture      yes   5      1    a,b,c  low,high    A     fr    2024-05-01  parents
 2  0-2      garde              yes   4      2    a,c,b  low,low     A     fr    2024-05-01  parents
 3  3-5      lecture            no    3      3    b,a,c  high,high   A     fr    2024-05-02  parents
 4  3-5      garde,transport    yes   4      1    a,b,c  low,high    A     en    2024-05-02  parents
 5  6-8      transport          no    2      2    c,b,a  high,low    A     fr    2024-05-03  parents
 6  other    garde              yes   5      4    a,b,c  low,high    A     fr    2024-05-03  employers
 7  0-2      lecture            yes   1      3    b,c,a  low,low     B     en    2024-05-10  employers
 8  3-5      garde,lecture      no    3      0    a,b,c  high,high   B     fr    2024-05-10  employers
 9  0-2      garde              yes   4      1    c,a,b  low,high    B     fr    2024-05-11  employers
10  6-8      —                  yes   5      3    a,b,c  low,high    B     en    2024-05-11  employers
11  0-2      lecture,transport  no    2      5    b,a,c  high,high   B     fr    2024-05-12  parents
12  other    garde              yes   —      6    a,c,b  low,low     B     fr    2024-05-12  parents

"when" (date) is answered by 1–6: 2024-01-15, 2024-01-20, 2024-02-03, 2024-02-10, 2024-02-28, 2024-03-01.
"comment" (open long text) by 1, 3, 5, 7, 9, 11; the texts of 1, 3 and 7 are approved in moderation, 5 pending.
"note" (short text) by 1 and 2 only. The "other" texts are "grand-parent" (6) and "tante" (12).
In progress: two responses from territory A in French, started 2024-05-05, age 0-2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from app.core.extensions import db
from app.models import (
    Answer,
    ItemSource,
    ItemState,
    ModerationItem,
    Question,
    Response,
    ResponseStatus,
    Survey,
    Territory,
)

QUESTIONS = [
    {"code": "age", "type": "single_choice", "choices": ["0-2", "3-5", "6-8"], "settings": {"other": True}},
    {"code": "needs", "type": "multiple_choice", "choices": ["garde", "lecture", "transport"]},
    {"code": "works", "type": "yes_no"},
    {"code": "rating", "type": "rating", "settings": {"scale": 5}},
    {"code": "kids", "type": "numeric"},
    {"code": "rank", "type": "ranking", "choices": ["a", "b", "c"]},
    {"code": "grid", "type": "matrix", "choices": ["low", "high"], "rows": ["r1", "r2"]},
    {"code": "where", "type": "territory"},
    {"code": "when", "type": "date"},
    {"code": "comment", "type": "long_text", "settings": {"open": True}},
    {"code": "note", "type": "short_text"},
]

# (age, needs, works, rating, kids, rank, grid, territory, locale, submitted day, group)
ROWS = [
    ("0-2", ["garde", "lecture"], 1, 5, 1, "abc", ("low", "high"), "A", "fr_CA", 1, "parents"),
    ("0-2", ["garde"], 1, 4, 2, "acb", ("low", "low"), "A", "fr_CA", 1, "parents"),
    ("3-5", ["lecture"], 0, 3, 3, "bac", ("high", "high"), "A", "fr_CA", 2, "parents"),
    ("3-5", ["garde", "transport"], 1, 4, 1, "abc", ("low", "high"), "A", "en", 2, "parents"),
    ("6-8", ["transport"], 0, 2, 2, "cba", ("high", "low"), "A", "fr_CA", 3, "parents"),
    ("grand-parent", ["garde"], 1, 5, 4, "abc", ("low", "high"), "A", "fr_CA", 3, "employers"),
    ("0-2", ["lecture"], 1, 1, 3, "bca", ("low", "low"), "B", "en", 10, "employers"),
    ("3-5", ["garde", "lecture"], 0, 3, 0, "abc", ("high", "high"), "B", "fr_CA", 10, "employers"),
    ("0-2", ["garde"], 1, 4, 1, "cab", ("low", "high"), "B", "fr_CA", 11, "employers"),
    ("6-8", [], 1, 5, 3, "abc", ("low", "high"), "B", "en", 11, "employers"),
    ("0-2", ["lecture", "transport"], 0, 2, 5, "bac", ("high", "high"), "B", "fr_CA", 12, "parents"),
    ("tante", ["garde"], 1, None, 6, "acb", ("low", "low"), "B", "fr_CA", 12, "parents"),
]
DATES = [date(2024, 1, 15), date(2024, 1, 20), date(2024, 2, 3), date(2024, 2, 10), date(2024, 2, 28), date(2024, 3, 1)]
COMMENTS = {
    1: "Plus de places en garderie.",
    3: "Des livres.",
    5: "Un autobus.",
    7: "Du soutien.",
    9: "Rien.",
    11: "Ok.",
}
APPROVED = {1, 3, 7}
PENDING = {5}


@dataclass
class ResultsData:
    survey: Survey
    territories: dict[str, Territory]
    responses: list[Response] = field(default_factory=list)

    def question(self, code: str) -> Question:
        return self.survey.question(code)


def _at(day: int, month: int = 5) -> datetime:
    return datetime(2024, month, day, 16, 0, tzinfo=UTC)  # noon in Quebec


def add_response(
    survey: Survey,
    answers: list[dict],
    *,
    status: ResponseStatus = ResponseStatus.COMPLETE,
    locale: str = "fr_CA",
    started: datetime | None = None,
    submitted: datetime | None = None,
    attributes: dict | None = None,
) -> Response:
    response = Response(
        survey=survey,
        survey_version=survey.version,
        status=status,
        locale=locale,
        started_at=started or _at(1),
        submitted_at=submitted if status is ResponseStatus.COMPLETE else None,
        attributes=attributes or {},
    )
    response.answers = [Answer(**fields) for fields in answers]
    db.session.add(response)
    return response


def build_results_survey(create_survey, create_territory, *, extra_complete: int = 0) -> ResultsData:
    """The survey of the module docstring; ``extra_complete`` adds that many more complete responses (copies of
    response 1, submitted 2024-06-01) for query-count tests."""
    a = create_territory(name="Territoire A", code="TA")
    b = create_territory(name="Territoire B", code="TB")
    c = create_territory(name="Territoire C", code="TC")
    territories = {"A": a, "B": b, "C": c}
    survey = create_survey([{"questions": QUESTIONS}], title_fr="Besoins des familles", title_en="Family needs")
    data = ResultsData(survey, territories)
    q = {question.code: question for question in survey.questions}
    options = {code: {choice.code: choice.id for choice in question.all_choices} for code, question in q.items()}
    rows = {choice.code: choice.id for choice in q["grid"].rows}

    def answers_of(number: int, row: tuple) -> list[dict]:
        age, needs, works, rating, kids, rank, grid, where, _locale, _day, _group = row
        answers: list[dict] = []
        if age in options["age"]:
            answers.append({"question_id": q["age"].id, "choice_id": options["age"][age]})
        else:
            answers.append({"question_id": q["age"].id, "is_other": True, "text_value": age})
        answers += [{"question_id": q["needs"].id, "choice_id": options["needs"][n]} for n in needs]
        answers.append({"question_id": q["works"].id, "number_value": Decimal(works)})
        if rating is not None:
            answers.append({"question_id": q["rating"].id, "number_value": Decimal(rating)})
        answers.append({"question_id": q["kids"].id, "number_value": Decimal(kids)})
        answers += [
            {"question_id": q["rank"].id, "choice_id": options["rank"][code], "rank": position}
            for position, code in enumerate(rank, start=1)
        ]
        answers += [
            {"question_id": q["grid"].id, "row_id": rows[row_code], "choice_id": options["grid"][choice]}
            for row_code, choice in zip(("r1", "r2"), grid, strict=True)
        ]
        answers.append({"question_id": q["where"].id, "territory_id": territories[where].id})
        if number <= len(DATES):
            answers.append({"question_id": q["when"].id, "date_value": DATES[number - 1]})
        if number in COMMENTS:
            answers.append({"question_id": q["comment"].id, "text_value": COMMENTS[number]})
        if number <= 2:
            answers.append({"question_id": q["note"].id, "text_value": f"Note {number}"})
        return answers

    for number, row in enumerate(ROWS, start=1):
        data.responses.append(
            add_response(
                survey,
                answers_of(number, row),
                locale=row[8],
                started=_at(row[9]),
                submitted=_at(row[9]),
                attributes={"group": row[10]},
            )
        )
    for _ in range(2):
        add_response(
            survey,
            [
                {"question_id": q["age"].id, "choice_id": options["age"]["0-2"]},
                {"question_id": q["where"].id, "territory_id": a.id},
            ],
            status=ResponseStatus.IN_PROGRESS,
            started=_at(5),
            attributes={"group": "parents"},
        )
    for _ in range(extra_complete):
        add_response(survey, answers_of(99, ROWS[0]), started=_at(1, 6), submitted=_at(1, 6))
    db.session.flush()
    for number in (*APPROVED, *PENDING):
        response = data.responses[number - 1]
        answer = next(a for a in response.answers if a.question_id == q["comment"].id)
        db.session.add(
            ModerationItem(
                process_id=survey.process_id,
                source=ItemSource.ANSWER,
                survey_id=survey.id,
                question_id=q["comment"].id,
                response_id=response.id,
                answer_id=answer.id,
                text=answer.text_value,
                redacted_text=answer.text_value if number in APPROVED else None,
                state=ItemState.APPROVED if number in APPROVED else ItemState.PENDING,
            )
        )
    db.session.commit()
    return data

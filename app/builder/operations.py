"""Builder services: surveys, pages, questions and choices. They flush, never commit; a refused change raises
:class:`BuilderError` (the view rolls back and shows the messages next to the fields they concern).

Every change that touches the structure is checked afterwards against the whole questionnaire with
``validate_definition(export_definition(survey))``, so the rules of app/builder/definition.py hold for a survey
built by hand exactly as for an imported one.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from app.builder.catalog import load_template
from app.builder.definition import (
    COMMON_SETTINGS,
    TRANSLATIONS_SETTING,
    DefinitionError,
    DefinitionInvalid,
    QuestionContext,
    check_question,
    export_definition,
    expression_problem,
    import_definition,
    validate_definition,
)
from app.builder.expressions import ExpressionError, parse, references
from app.builder.slugs import slug_is_free, unique_slug
from app.compliance import audit
from app.core.errors import DomainError
from app.core.extensions import db
from app.core.labels import label
from app.models import (
    Anonymity,
    Answer,
    Choice,
    ChoiceKind,
    IllegalTransition,
    Invitation,
    Process,
    Question,
    Response,
    Survey,
    SurveyPage,
    SurveyStatus,
    User,
)
from app.questions import find_type, question_type

logger = logging.getLogger(__name__)

Problem = tuple[str | None, str]  # (form field or None, message)


class BuilderError(DomainError):
    """A refused change. ``problems`` pairs each message with the form field it concerns (None: the whole form)."""

    def __init__(self, message: str, field: str | None = None, *, more: Iterable[Problem] = ()) -> None:
        super().__init__(message, field)
        self.problems: list[Problem] = [(field, message), *more]

    def reasons(self) -> list[Problem]:
        return list(self.problems)

    @classmethod
    def from_problems(cls, problems: list[Problem]) -> BuilderError:
        (field, message), *rest = problems
        return cls(message, field, more=rest)


# ------------------------------------------------------------------------------------------------------ queries


def has_responses(survey: Survey) -> bool:
    return (
        db.session.execute(db.select(Response.id).where(Response.survey_id == survey.id).limit(1)).first() is not None
    )


def response_count(survey: Survey) -> int:
    return db.session.scalar(db.select(sa.func.count(Response.id)).where(Response.survey_id == survey.id)) or 0


def question_has_answers(question: Question) -> bool:
    if question.id is None:
        return False
    return (
        db.session.execute(db.select(Answer.id).where(Answer.question_id == question.id).limit(1)).first() is not None
    )


def answered_choice_ids(question: Question) -> set[int]:
    """Ids of the question's choices and rows that some answer uses."""
    if question.id is None:
        return set()
    rows = db.session.execute(
        db.select(Answer.choice_id, Answer.row_id).where(
            Answer.question_id == question.id, sa.or_(Answer.choice_id.is_not(None), Answer.row_id.is_not(None))
        )
    ).all()
    return {value for row in rows for value in row if value is not None}


def survey_problems(survey: Survey) -> list[DefinitionError]:
    """What the whole questionnaire breaks of the definition rules (normally nothing: edits are checked)."""
    return validate_definition(export_definition(survey))


def describe_path(survey: Survey, path: str) -> str:
    """``$.pages[1].questions[0].relevant`` → ``Page 2, question “age”`` (for messages shown to facilitators)."""
    match = re.match(r"^\$\.pages\[(\d+)\](?:\.questions\[(\d+)\])?", path)
    if not match:
        return _("Survey settings")
    page_index = int(match.group(1))
    where = _("Page %(number)d", number=page_index + 1)
    if match.group(2) is not None and page_index < len(survey.pages):
        questions = survey.pages[page_index].questions
        index = int(match.group(2))
        if index < len(questions):
            where = _("%(page)s, question “%(code)s”", page=where, code=questions[index].code)
    return where


def _check_whole(survey: Survey) -> None:
    """After a structural change: refuse it if the questionnaire as a whole no longer holds together."""
    _refresh(survey)
    problems = survey_problems(survey)
    if problems:
        raise BuilderError.from_problems(
            [(None, f"{describe_path(survey, p.path)} — {p.message}") for p in problems[:10]]
        )


def _refresh(survey: Survey) -> None:
    """Flush, then reload the ordered collections so that they follow the new positions."""
    db.session.flush()
    for page in survey.pages:
        for question in page.questions:
            db.session.expire(question, ["all_choices"])
        db.session.expire(page, ["questions"])
    db.session.expire(survey, ["pages", "questions"])


def _bump_version(survey: Survey, answered: bool) -> None:
    if answered:
        survey.version = (survey.version or 1) + 1


def opening_problems(survey: Survey, now: datetime) -> list[str]:
    """Why the survey cannot be opened now (empty: it can)."""
    problems = [f"{describe_path(survey, p.path)} — {p.message}" for p in survey_problems(survey)]
    answerable = [q for q in survey.ordered_questions() if question_type(q).answerable]
    if not answerable:
        problems.append(_("The survey has no question to answer yet: add at least one question."))
    for page in survey.pages:
        if not page.questions:
            problems.append(_("Page %(number)d has no question: add one or delete the page.", number=page.position + 1))
    if survey.closes_at is not None and survey.closes_at <= now:
        problems.append(_("The closing date has passed: change it in the settings first."))
    return problems


# ------------------------------------------------------------------------------------------------------ surveys


def create_blank_survey(actor: User | None, process: Process, title_fr: str, title_en: str = "") -> Survey:
    survey = Survey(
        process=process,
        slug=unique_slug(title_fr),
        title_fr=title_fr.strip(),
        title_en=(title_en or "").strip(),
        created_by_id=getattr(actor, "id", None),
    )
    survey.pages.append(SurveyPage(position=0))
    db.session.add(survey)
    db.session.flush()
    audit.record(actor, "survey.create", survey, slug=survey.slug, template=None)
    return survey


def create_from_template(
    actor: User | None, process: Process, key: str, title_fr: str = "", title_en: str = "", slug: str | None = None
) -> Survey:
    data = load_template(key)
    if title_fr:
        data["survey"]["title"]["fr"] = title_fr.strip()
        data["survey"]["slug"] = None
    if title_en:
        data["survey"]["title"]["en"] = title_en.strip()
    return import_definition(data, process, actor, slug=slug, audit_action="survey.create")


def save_metadata(actor: User | None, survey: Survey, fields: dict[str, Any]) -> None:
    """Change the survey's settings (titles, texts, privacy notice, anonymity, dates, address)."""
    slug = fields["slug"]
    if not slug_is_free(slug, survey.id):
        raise BuilderError(_("Another survey already uses this address."), "slug")
    if survey.status is not SurveyStatus.DRAFT and slug != survey.slug:
        raise BuilderError(
            _("The address of a survey that has been opened cannot change: its links and QR codes are out there."),
            "slug",
        )
    anonymity = Anonymity(fields["anonymity"])
    if anonymity is not survey.anonymity and has_responses(survey):
        raise BuilderError(
            _("The survey already has responses: their respondents were promised another level of anonymity."),
            "anonymity",
        )
    if anonymity is not Anonymity.IDENTIFIED and any(question_type(q).stored_apart for q in survey.questions):
        raise BuilderError(
            _("The survey has an e-mail question: remove it before choosing a mode other than identified."),
            "anonymity",
        )
    opens, closes = fields["opens_at"], fields["closes_at"]
    if opens and closes and closes <= opens:
        raise BuilderError(_("The closing date must come after the opening date."), "closes_at")
    if anonymity is not Anonymity.IDENTIFIED and survey.anonymity is Anonymity.IDENTIFIED:
        # Its invitations were sent already: their addresses are forgotten, as for links created now.
        db.session.execute(sa.update(Invitation).where(Invitation.survey_id == survey.id).values(email=None))
    for key, value in fields.items():
        setattr(survey, key, anonymity if key == "anonymity" else value)
    db.session.flush()
    audit.record(actor, "survey.edit", survey, slug=survey.slug)


def change_status(actor: User | None, survey: Survey, target: SurveyStatus, now: datetime) -> None:
    """Open (also reopen), close, archive or restore (archived → closed) a survey."""
    if target is SurveyStatus.OPEN:
        problems = opening_problems(survey, now)
        if problems:
            raise BuilderError.from_problems([(None, p) for p in problems])
    old = survey.status
    try:
        survey.move_to(target)
    except IllegalTransition:
        raise BuilderError(
            _(
                "A survey that is “%(current)s” cannot become “%(target)s”.",
                current=label("survey_status", old),
                target=label("survey_status", target),
            )
        ) from None
    action = {
        SurveyStatus.OPEN: "survey.open",
        SurveyStatus.CLOSED: "survey.restore" if old is SurveyStatus.ARCHIVED else "survey.close",
        SurveyStatus.ARCHIVED: "survey.archive",
    }[target]
    db.session.flush()
    audit.record(actor, action, survey, old=old.value, new=target.value)
    logger.info("Survey %s moved from %s to %s", survey.slug, old.value, target.value)


def duplicate_survey(actor: User | None, survey: Survey) -> Survey:
    """A deep copy, as a new draft with a new address (responses and invitations are not copied)."""
    data = export_definition(survey)
    data["survey"]["slug"] = None
    data["survey"]["opens_at"] = data["survey"]["closes_at"] = None
    for lang, suffix in (("fr", _("(copy)")), ("en", "(copy)")):
        title = data["survey"]["title"][lang]
        if title:
            data["survey"]["title"][lang] = f"{title[: 200 - len(suffix) - 1]} {suffix}"
    try:
        copy = import_definition(
            data, survey.process, actor, slug=unique_slug(survey.slug), audit_action="survey.duplicate"
        )
    except DefinitionInvalid as exc:
        raise BuilderError.from_problems(
            [(None, f"{describe_path(survey, e.path)} — {e.message}") for e in exc.errors[:10]]
        ) from None
    return copy


def delete_survey(actor: User | None, survey: Survey) -> None:
    if survey.status is not SurveyStatus.DRAFT:
        raise BuilderError(_("Only a draft can be deleted; close or archive this survey instead."))
    if has_responses(survey):
        raise BuilderError(_("This survey has responses: it cannot be deleted."))
    audit.record(actor, "survey.delete", survey, slug=survey.slug, title=survey.title_fr)
    db.session.delete(survey)
    db.session.flush()


# -------------------------------------------------------------------------------------------------------- pages


def _renumber(items: list) -> None:
    for position, item in enumerate(items):
        item.position = position


def add_page(survey: Survey) -> SurveyPage:
    page = SurveyPage(position=len(survey.pages))
    survey.pages.append(page)
    db.session.flush()
    _bump_version(survey, has_responses(survey))
    return page


def codes_before_page(survey: Survey, page: SurveyPage) -> list[str]:
    codes = []
    for other in survey.pages:
        if other is page:
            break
        codes.extend(q.code for q in other.questions)
    return codes


def save_page(survey: Survey, page: SurveyPage, fields: dict[str, str]) -> None:
    relevant = fields["relevant"].strip()
    if relevant:
        problem = expression_problem(
            relevant,
            known={q.code for q in survey.questions},
            allowed=codes_before_page(survey, page),
            notes={q.code for q in survey.questions if not question_type(q).answerable},
            choice_codes=_choice_codes(survey),
        )
        if problem is not None:
            raise BuilderError(problem[0], "relevant")
    for key, value in fields.items():
        setattr(page, key, value.strip())
    db.session.flush()


def delete_page(survey: Survey, page: SurveyPage) -> None:
    answered = [q.code for q in page.questions if question_has_answers(q)]
    if answered:
        raise BuilderError(
            _(
                "This page holds questions that have answers (%(codes)s): it cannot be deleted.",
                codes=", ".join(answered),
            )
        )
    responses = has_responses(survey)
    survey.pages.remove(page)
    _renumber(survey.pages)
    _bump_version(survey, responses)
    _check_whole(survey)


def _step(direction: str) -> int:
    if direction not in {"up", "down"}:
        raise BuilderError(_("Choose to move up or down."))
    return -1 if direction == "up" else 1


def move_page(survey: Survey, page: SurveyPage, direction: str) -> None:
    pages = list(survey.pages)
    index = pages.index(page)
    target = index + _step(direction)
    if not 0 <= target < len(pages):
        raise BuilderError(_("This page is already first.") if target < 0 else _("This page is already last."))
    pages[index], pages[target] = pages[target], pages[index]
    _renumber(pages)
    _check_whole(survey)


# ---------------------------------------------------------------------------------------------------- questions


def _choice_codes(survey: Survey, replace: dict[str, set[str]] | None = None) -> dict[str, set[str]]:
    result = {}
    for q in survey.questions:
        codes = question_type(q).selectable_codes(c.code for c in q.choices)
        if codes is not None:
            result[q.code] = codes
    result.update(replace or {})
    return result


def question_context(survey: Survey, page: SurveyPage, question: Question | None, data: dict) -> QuestionContext:
    """The rest of the questionnaire as seen from ``question`` (None: a new question at the end of ``page``)."""
    others = [q for q in survey.ordered_questions() if q is not question]
    earlier: list[str] = []
    reached = False
    for other_page in survey.pages:
        for q in other_page.questions:
            if q is question:
                reached = True
                break
            earlier.append(q.code)
        if reached or (question is None and other_page is page):
            break
    own_code = data.get("code") if isinstance(data.get("code"), str) else ""
    own_choices = {}
    own_type = find_type(data.get("type"))
    own_codes = own_type.selectable_codes(c.get("code") for c in data.get("choices") or []) if own_type else None
    if own_code and own_codes is not None:
        own_choices[own_code] = own_codes
    return QuestionContext(
        known={q.code for q in others} | ({own_code} if own_code else set()),
        earlier=earlier,
        notes={q.code for q in others if not question_type(q).answerable},
        choice_codes=_choice_codes(survey, own_choices),
        anonymity=survey.anonymity.value,
        types_seen={str(q.type) for q in others},
    )


def field_for_path(path: str, qtype: str | None) -> tuple[str | None, str]:
    """``$.label.fr`` → (``label_fr``, prefix); ``$.choices[2].code`` → (``choices``, ``Line 3: ``)."""
    if path.startswith("$.choices") or path.startswith("$.rows"):
        field = "choices" if path.startswith("$.choices") else "rows"
        match = re.match(r"^\$\.\w+\[(\d+)\]", path)
        return field, (_("Line %(line)d: ", line=int(match.group(1)) + 1) if match else "")
    parts = path[2:].split(".") if path.startswith("$.") else []
    if not parts:
        return None, ""
    head = parts[0]
    if head in {"label", "help", "constraint_message"} and len(parts) > 1:
        return f"{head}_{parts[1]}", ""
    if head == "settings" and len(parts) > 1:
        key = parts[1]
        known = find_type(qtype)
        return (known.settings_paths.get(key, key) if known else key), ""
    if head in {"code", "type", "required", "relevant", "constraint"}:
        return head, ""
    return None, ""


def save_question(survey: Survey, page: SurveyPage, question: Question | None, data: dict) -> Question:
    """Create (``question`` None: at the end of ``page``) or change a question from a question dict of the
    definition format (code, type, label, help, required, relevant, constraint, constraint_message, settings,
    choices, rows)."""
    context = question_context(survey, page, question, data)
    errors, normalized = check_question(data, context)
    problems: list[Problem] = []
    for error in errors:
        field, prefix = field_for_path(error.path, normalized.get("type"))
        problems.append((field, prefix + error.message))
    code = normalized.get("code")
    if code and any(q.code == code and q is not question for q in survey.questions):
        problems.append(("code", _("Another question of this survey already uses the code “%(code)s”.", code=code)))
    if problems:
        raise BuilderError.from_problems(problems)

    answered_survey = has_responses(survey)
    qtype = normalized["type"]
    if answered_survey:
        problems.extend(_answered_survey_problems(question, normalized, qtype))
    if problems:
        raise BuilderError.from_problems(problems)

    structural = False
    if question is None:
        question = Question(survey=survey, position=len(page.questions), code=code, type=qtype)
        page.questions.append(question)
        structural = True
    question.code = code
    question.type = qtype
    question.required = normalized["required"]
    question.relevant = normalized["relevant"]
    question.constraint = normalized["constraint"]
    kept = {  # settings the builder's form does not show (an XLSForm's choice_filter…) stay as they were
        key: value
        for key, value in (question.settings or {}).items()
        if (key in question_type(qtype).settings or key in COMMON_SETTINGS or key in TRANSLATIONS_SETTING)
        and key not in question_type(qtype).settings_fields
        and key not in normalized["settings"]
        and question.type == qtype
    }
    question.settings = {**kept, **normalized["settings"]}
    for name in ("label", "help", "constraint_message"):
        for lang in ("fr", "en"):
            setattr(question, f"{name}_{lang}", normalized[name][lang])
    structural |= _sync_choices(question, normalized.get("choices", []), ChoiceKind.OPTION)
    structural |= _sync_choices(question, normalized.get("rows", []), ChoiceKind.ROW)
    if structural:
        _bump_version(survey, answered_survey)
    _check_whole(survey)
    return question


def _answered_survey_problems(question: Question | None, normalized: dict, qtype: str) -> list[Problem]:
    """Once a survey has responses: what would corrupt them."""
    problems: list[Problem] = []
    if question is None:
        if normalized["required"]:
            problems.append(
                (
                    "required",
                    _(
                        "The survey already has responses: a new question must be optional, since earlier "
                        "respondents could not answer it."
                    ),
                )
            )
        return problems
    if qtype != question.type:
        problems.append(
            ("type", _("The survey already has responses: a question’s type cannot change. Add a new question."))
        )
    if normalized["code"] != question.code:
        problems.append(
            ("code", _("The survey already has responses: the code of a question cannot change (exports use it)."))
        )
    if normalized["required"] and not question.required:
        problems.append(
            (
                "required",
                _("The survey already has responses: an optional question cannot become required."),
            )
        )
    answered = answered_choice_ids(question)
    for kind, key in ((ChoiceKind.OPTION, "choices"), (ChoiceKind.ROW, "rows")):
        kept = {c["code"] for c in normalized.get(key, [])}
        for choice in question.all_choices:
            if choice.kind is kind and choice.id in answered and choice.code not in kept:
                problems.append(
                    (
                        key,
                        _(
                            "The choice “%(code)s” has answers: it cannot be removed nor its code changed; you may "
                            "change its labels.",
                            code=choice.code,
                        ),
                    )
                )
    return problems


def _sync_choices(question: Question, wanted: list[dict], kind: ChoiceKind) -> bool:
    """Make the question's choices of ``kind`` match ``wanted`` (matched by code). True if any was added or
    removed."""
    existing = {c.code: c for c in question.all_choices if c.kind is kind}
    changed = False
    wanted_codes = {c["code"] for c in wanted}
    for code, choice in existing.items():
        if code not in wanted_codes:
            question.all_choices.remove(choice)
            changed = True
    for position, item in enumerate(wanted):
        choice = existing.get(item["code"])
        if choice is None:
            choice = Choice(kind=kind, code=item["code"], position=position)
            question.all_choices.append(choice)
            changed = True
        choice.position = position
        choice.label_fr, choice.label_en = item["label"]["fr"], item["label"]["en"]
    return changed


def delete_question(survey: Survey, question: Question) -> None:
    if question_has_answers(question):
        raise BuilderError(
            _("The question “%(code)s” has answers: it cannot be deleted. You may reword it.", code=question.code)
        )
    responses = has_responses(survey)
    page = question.page
    db.session.delete(question)
    db.session.flush()
    db.session.expire(page, ["questions"])
    db.session.expire(survey, ["questions"])
    _renumber(page.questions)
    _bump_version(survey, responses)
    _check_whole(survey)


def move_question(survey: Survey, question: Question, direction: str) -> None:
    """Up or down on its page; from the top or bottom of a page, onto the previous or next page."""
    step = _step(direction)
    page = question.page
    questions = list(page.questions)
    index = questions.index(question)
    target = index + step
    if 0 <= target < len(questions):
        questions[index], questions[target] = questions[target], questions[index]
        _renumber(questions)
    else:
        pages = list(survey.pages)
        other_index = pages.index(page) + step
        if not 0 <= other_index < len(pages):
            raise BuilderError(
                _("This question is already the first one.")
                if step < 0
                else _("This question is already the last one.")
            )
        other = pages[other_index]
        remaining = [q for q in questions if q is not question]
        moved = [*other.questions, question] if step < 0 else [question, *other.questions]
        question.page = other
        _renumber(remaining)
        _renumber(moved)
    _check_whole(survey)


def same_page_references(question: Question) -> list[str]:
    """The codes of the questions of its own page that ``question``'s display condition reads. Without JavaScript
    such a question is shown whatever the answers (it says when to answer it); on a later page it is asked only
    when it applies."""
    if not question.relevant or not question.relevant.strip():
        return []
    try:
        expr = parse(question.relevant)
    except ExpressionError:
        return []
    here = {q.code for q in question.page.questions if q is not question}
    return sorted({name for name, _position in references(expr) if name in here})


def move_question_to_new_page(survey: Survey, question: Question) -> SurveyPage:
    """Put ``question`` on a new page right after its own, so that its condition is decided before it is asked."""
    if not same_page_references(question):
        raise BuilderError(_("This question does not depend on an answer given on its own page."))
    responses = has_responses(survey)
    page = question.page
    pages = list(survey.pages)
    new = SurveyPage(position=len(pages))
    survey.pages.append(new)
    pages.insert(pages.index(page) + 1, new)
    _renumber(pages)
    remaining = [q for q in page.questions if q is not question]
    question.page = new
    question.position = 0
    _renumber(remaining)
    _bump_version(survey, responses)
    _check_whole(survey)
    return new


def move_choice(question: Question, choice: Choice, direction: str) -> None:
    step = _step(direction)
    siblings = [c for c in question.all_choices if c.kind is choice.kind]
    index = siblings.index(choice)
    target = index + step
    if not 0 <= target < len(siblings):
        raise BuilderError(_("This choice is already first.") if step < 0 else _("This choice is already last."))
    siblings[index], siblings[target] = siblings[target], siblings[index]
    _renumber(siblings)
    db.session.flush()
    db.session.expire(question, ["all_choices"])

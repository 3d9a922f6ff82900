"""The registry of question types: the key stored in ``Question.type`` → the type that implements it.

The built-in types are listed below (their order is the builder's list of types). Another type is added with
:func:`register` (a class decorator) and needs no other change to the application: its module and its template
``templates/questions/<key>.html``. Keys are open strings, not a closed list: the database accepts any key (no
CHECK constraint on ``questions.type``) and the definition, the XLSForm import and the builder accept the registered
ones only, so a key is known wherever it is read.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from app.questions.acknowledge import AcknowledgeType
from app.questions.base import BaseQuestionType
from app.questions.calculate import CalculateType
from app.questions.date import DateType
from app.questions.date_time import DateTimeType
from app.questions.email import EmailType
from app.questions.geopoint import GeopointType
from app.questions.long_text import LongTextType
from app.questions.matrix import MatrixType
from app.questions.multiple_choice import MultipleChoiceType
from app.questions.note import NoteType
from app.questions.numeric import NumericType
from app.questions.ranking import RankingType
from app.questions.rating import RatingType
from app.questions.short_text import ShortTextType
from app.questions.single_choice import SingleChoiceType
from app.questions.territory import TerritoryType
from app.questions.time import TimeType
from app.questions.yes_no import YesNoType

BUILTIN_TYPES: tuple[type[BaseQuestionType], ...] = (
    ShortTextType,
    LongTextType,
    SingleChoiceType,
    MultipleChoiceType,
    YesNoType,
    RatingType,
    NumericType,
    DateType,
    TimeType,
    DateTimeType,
    RankingType,
    MatrixType,
    TerritoryType,
    EmailType,
    NoteType,
    AcknowledgeType,
    GeopointType,
    CalculateType,
)

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")  # Question.type is a VARCHAR(32)

_types: dict[str, BaseQuestionType] = {}
T = TypeVar("T", bound=type[BaseQuestionType])


def register(cls: T) -> T:
    """Add a question type (usable as a class decorator). Its key must be new."""
    key = str(cls.key)
    if not KEY_RE.fullmatch(key):
        raise ValueError(f"invalid question type key {key!r}: lowercase letters, digits and _, at most 32")
    if key in _types:
        raise ValueError(f"the question type {key!r} is registered already")
    _types[key] = cls()
    return cls


def unregister(key: str) -> None:
    """Remove a type added with :func:`register` (tests); the built-in types stay."""
    if key in {str(cls.key) for cls in BUILTIN_TYPES}:
        raise ValueError(f"{key!r} is a built-in question type")
    _types.pop(key, None)


def question_type(of: Any) -> BaseQuestionType:
    """The type of a question (anything with a ``type``: a Question, a row) or of a key; KeyError if unknown."""
    key = of if isinstance(of, str) else of.type
    return _types[str(key)]


def find_type(key: Any) -> BaseQuestionType | None:
    """The type of ``key``, or ``None`` when it is not a registered key (data from outside)."""
    return _types.get(str(key)) if isinstance(key, str) else None


def registered_types() -> list[BaseQuestionType]:
    """Every type, in the builder's order."""
    return list(_types.values())


def xlsform_type(row: Any) -> BaseQuestionType | None:
    """The type that reads an XLSForm survey row (the first in order that accepts it)."""
    return next((qtype for qtype in _types.values() if qtype.accepts_xlsform(row)), None)


def xlsform_words() -> list[str]:
    """The XLSForm types that can be imported, as the message listing them says."""
    ordered = sorted(_types.values(), key=lambda qtype: qtype.xlsform_order)
    return list(dict.fromkeys(word for qtype in ordered for word in qtype.xlsform_types))


for _cls in BUILTIN_TYPES:
    register(_cls)

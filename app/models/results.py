"""The per-survey summary of the results page's unfiltered figures (app/results/summary.py).

A cache derived from the answers, never a source: it holds, for the complete responses of a survey, the number of
answers per combination of the columns the results read (question, matrix row, choice, territory, "other", number,
date), and the respondents per question. The completion of a response adds to it (in the respondent's
transaction); anything else that changes the complete responses (a purge, an erasure, rows inserted directly) makes
its fingerprint differ from the live one, and the results page then computes the figures from the answers and
rebuilds it after the response.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime, utcnow


class ResultSummary(Base):
    """The fingerprint of the complete responses that a survey's ``ResultCount`` rows hold."""

    __tablename__ = "result_summaries"

    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True)
    responses: Mapped[int] = mapped_column(default=0)  # complete responses counted
    id_sum: Mapped[int] = mapped_column(sa.BigInteger, default=0)  # the sum of their ids
    built_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ResultCount(Base):
    """Answers of a survey's complete responses per value (``kind`` 'values'), or respondents who answered a
    question (``kind`` 'answered': only ``question_id`` and ``answers`` are set). ``key`` names the row."""

    __tablename__ = "result_counts"
    __table_args__ = (sa.UniqueConstraint("survey_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("surveys.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(8))
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    row_id: Mapped[int | None]
    choice_id: Mapped[int | None]
    territory_id: Mapped[int | None]
    is_other: Mapped[bool] = mapped_column(default=False)
    number_value: Mapped[Decimal | None] = mapped_column(sa.Numeric(20, 6))
    date_value: Mapped[date | None]
    answers: Mapped[int] = mapped_column(default=0)
    ranked: Mapped[int] = mapped_column(default=0)  # answers with a rank
    rank_sum: Mapped[int] = mapped_column(default=0)
    firsts: Mapped[int] = mapped_column(default=0)  # answers ranked first

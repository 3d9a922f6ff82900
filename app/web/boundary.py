"""The request boundary: one transaction per request, committed or rolled back here and nowhere else (after
Indico's ``RH.process``, indico/web/rh.py). Views and services write (services ``flush()``); this decides.

What happens to the writes of a request, once its view has returned:

- **Success** (a response whose status is below 400: a page, a redirect, a download) of a POST: committed here,
  after the view and before the response leaves; a failed commit is a 500, as it was in the view. E-mail queued
  during the request (app/core/mail.py) leaves only after this commit, once the response has been sent: this
  boundary's ``after_request`` runs before the one of app/core/deferred.py that hands the queued work to the response.
- **Any exception**, or an **error response** (4xx, 5xx): rolled back. So a form shown again with a 4xx status
  keeps nothing it may have written. A form shown again with 200 after a refused action keeps nothing either: the
  :class:`app.web.forms.attempt` block that caught the :class:`~app.core.errors.DomainError` rolled back at
  once, before the page was drawn again from what is stored.
- **GET, HEAD and OPTIONS never write**: their transaction is rolled back. A write found at the end of one (an
  object added, changed or deleted, flushed or not, or an INSERT, UPDATE or DELETE statement, seen by session
  events scoped to the request's session) raises :class:`UnsafeWrite` in debug and testing; in production it is
  rolled back and logged as an error, and the page is answered all the same. Two marks let a GET write a record
  of what it showed, and nothing else:

  - :func:`records_access`: ``access.*`` audit entries (Quebec's Law 25: staff were shown raw text) and the
    audit entry of a download of raw responses. A GET may add audit entries and nothing else, and they are
    committed. When the response is an error (a form shown again with 400 beside the raw text), the rest is
    rolled back and the ``access.*`` entries are written again and committed: the text was shown. An
    ``access.*`` entry written by a view without the mark is an error (raised in debug and testing).
  - :func:`writes_on_get`: named columns of one model. Only ``voting.show_results``: the live results of an
    open vote are stored when they move, so that the next ones move only once 5 more people have voted
    (app/voting/disclosure.py); its helper commits them at once (the ballot row stays locked no longer).

Views that manage their own transaction are marked :func:`manages_own_transaction` (so are the helpers in routes
modules that commit for them; tests/unit/test_view_commits.py reads app/ and allows no other ``commit()`` in
a routes module). The boundary commits nothing for them and rolls back what they leave, but their GETs are checked
all the same. They are:

- ``voting.cast_vote``, through ``app.voting.casting.commit_cast`` (also used by bench/bench_voting.py): the cast is
  committed in a transaction of its own, started again when the database asks to (SQLite busy, a PostgreSQL
  deadlock); a ballot past its closing time is closed and sealed (and committed) before the vote is refused.
- ``respond.save_page``: a respondent's page and its submission key are committed together inside the ``try``
  that recognizes a page sent twice (the key's unique constraint); a refused key rolls back, and the person is
  sent where the first submission led.
- ``voting._with_fresh_snapshot``, the helper of ``voting.show_results`` above.

Work done after the response (app/core/deferred.py) is a unit of its own: each task commits when it ends without error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, current_app, request
from sqlalchemy.orm import ORMExecuteState, Session

from app.core.database import listen_once
from app.core.extensions import db
from app.models import AuditLog

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ACCESS_PREFIX = "access."
_WRITES = "concerto.request_writes"  # key of the request's session.info


class UnsafeWrite(RuntimeError):
    """A request wrote what it may not: a GET that writes, or an access record from a view not marked for it."""


# --- marks on views ---------------------------------------------------------------------------------------------


def manages_own_transaction(view: Callable) -> Callable:
    """This view (or helper of one) commits itself; the boundary commits nothing for it (see the module docstring)."""
    view.manages_own_transaction = True
    return view


def records_access(view: Callable) -> Callable:
    """This view writes audit entries of what it showed: committed on a GET, ``access.*`` ones even on an error."""
    view.records_access = True
    return view


def writes_on_get(model: type, *columns: str) -> Callable[[Callable], Callable]:
    """This GET view may change ``columns`` of ``model`` rows (a record of what it showed), and nothing else."""

    def mark(view: Callable) -> Callable:
        view.writes_on_get = {*getattr(view, "writes_on_get", ()), (model.__name__, frozenset(columns))}
        return view

    return mark


def _view() -> Callable | None:
    return current_app.view_functions.get(request.endpoint) if request.endpoint else None


# --- what a request wrote -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Write:
    verb: str  # INSERT, UPDATE or DELETE
    what: str  # a model's class name, or a table's name for a statement
    columns: frozenset[str] | None = None  # the columns an UPDATE of an object changed

    def __str__(self) -> str:
        return f"{self.verb} {self.what}" + (f" ({', '.join(sorted(self.columns))})" if self.columns else "")


@dataclass
class _Writes:
    """The writes of one request's session, and the audit entries among them."""

    other: list[Write] = field(default_factory=list)
    audit: list[AuditLog] = field(default_factory=list)

    def note_session(self, session: Session) -> None:
        """What ``session`` holds and has not flushed yet (the flush that would write it is noted the same way)."""
        for obj in session.new:
            if isinstance(obj, AuditLog):
                if obj not in self.audit:
                    self.audit.append(obj)
            else:
                self.other.append(Write("INSERT", type(obj).__name__))
        self.other.extend(Write("DELETE", type(obj).__name__) for obj in session.deleted)
        for obj in session.dirty:
            if session.is_modified(obj, include_collections=True):
                changed = frozenset(attr.key for attr in sa.inspect(obj).attrs if attr.history.has_changes())
                self.other.append(Write("UPDATE", type(obj).__name__, changed))

    def note_statement(self, state: ORMExecuteState) -> None:
        verb = "INSERT" if state.is_insert else "UPDATE" if state.is_update else "DELETE"
        self.other.append(Write(verb, getattr(getattr(state.statement, "table", None), "name", "?")))

    def access_entries(self) -> list[AuditLog]:
        return [entry for entry in self.audit if (entry.action or "").startswith(ACCESS_PREFIX)]


def _allowed(write: Write, allowances: set[tuple[str, frozenset[str]]]) -> bool:
    return write.verb == "UPDATE" and any(
        write.what == model and write.columns is not None and write.columns <= columns for model, columns in allowances
    )


def _note_flush(session: Session, _context: Any, _instances: Any) -> None:
    writes = session.info.get(_WRITES)
    if writes is not None:
        writes.note_session(session)


def _note_statement(state: ORMExecuteState) -> None:
    writes = state.session.info.get(_WRITES)
    if writes is not None and (state.is_insert or state.is_update or state.is_delete):
        writes.note_statement(state)


# --- the boundary -------------------------------------------------------------------------------------------------


def register(app: Flask) -> None:
    """Register after app/core/deferred.py: after-request functions run in reverse order, and the commit (which queues
    the e-mail) must come before the queued work is handed to the response."""
    listen_once(Session, "before_flush", _note_flush)  # the writes of a request, for the GET-never-writes check
    listen_once(Session, "do_orm_execute", _note_statement)
    app.before_request_funcs.setdefault(None, []).insert(0, _begin)  # first, whatever else refuses the request
    app.after_request(_finish)
    app.teardown_request(_teardown)


def _begin() -> None:
    db.session().info[_WRITES] = _Writes()


def _finish(response: Response) -> Response:
    session = db.session()
    writes: _Writes | None = session.info.pop(_WRITES, None)
    if writes is None:  # the request did not go through _begin
        return response
    writes.note_session(session)
    writes.audit = [entry for entry in writes.audit if entry in session]  # not those a rollback undid
    view = _view()
    access = getattr(view, "records_access", False)
    if writes.access_entries() and not access:
        _report(session, f"{request.endpoint} records access without @records_access")
    if request.method in SAFE_METHODS:
        allowances = getattr(view, "writes_on_get", set())
        unsafe = [str(w) for w in writes.other if not _allowed(w, allowances)]
        if not access:
            unsafe += [f"INSERT AuditLog ({entry.action})" for entry in writes.audit]
        if unsafe:
            _report(session, f"{request.method} {request.endpoint} wrote: {', '.join(unsafe)}")
            _keep_only(session, writes.audit if access else [])
        elif writes.audit or writes.other:
            _commit(session)
        else:
            session.rollback()
    elif getattr(view, "manages_own_transaction", False):
        session.rollback()
    elif response.status_code < 400:
        _commit(session)
    else:
        _keep_only(session, writes.access_entries() if access else [])
    return response


def _commit(session: Session) -> None:
    if session.in_transaction():  # nothing begun, nothing to commit
        session.commit()


def _report(session: Session, problem: str) -> None:
    """Raise in debug and testing (after rolling back); in production, log it."""
    if current_app.debug or current_app.testing:
        session.rollback()
        raise UnsafeWrite(problem)
    logger.error("Request boundary: %s", problem)


def _keep_only(session: Session, entries: list[AuditLog]) -> None:
    """Roll back everything, then write ``entries`` again and commit them (the audit of what was shown)."""
    kept = [_copy(entry) for entry in entries]
    session.rollback()
    if kept:
        session.add_all(kept)
        session.commit()


def _copy(entry: AuditLog) -> AuditLog:
    actor_id = entry.actor_id if entry.actor_id is not None else getattr(entry.actor, "id", None)
    return AuditLog(
        actor_id=actor_id,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        details=dict(entry.details or {}),
        created_at=entry.created_at,
    )


def _teardown(error: BaseException | None) -> None:
    """An exception the error pages did not turn into a response (testing, debug): nothing of it is kept."""
    session = db.session()
    if session.info.pop(_WRITES, None) is not None or error is not None:
        session.rollback()

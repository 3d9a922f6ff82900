"""The one error type of refused actions.

A service that refuses an action raises a :class:`DomainError` (or a feature's subclass of it): ``message`` is
what the person reads (often a lazy translated string: it is translated when shown), ``field`` the form field it
concerns, None for the whole form. The view shows it next to that field, or as a message at the top of the page
(:func:`app.web.forms.populate_errors`, after FlaskBB's ``populate_errors``), and nothing of the refused action is
kept (:class:`app.web.forms.attempt` rolls the transaction back). Errors of programming (a broken invariant) are not
DomainErrors: they are 500s.

The features' errors keep their names and attributes (``AdminError``, ``BuilderError.problems``,
``VotingError.code``, ``XLSFormInvalid.problems``, ``IllegalTransition.current``...): callers and tests use them.
A document or a file refused for a list of problems raises a :class:`ProblemsFound` (``DefinitionInvalid``,
``XLSFormInvalid``).

The other exception roots of app/ are not refusals: ``UnsafeWrite`` (web/boundary.py) and ``FrozenStructureError``
(respond/structure.py) are RuntimeErrors of programming; ``ExpressionError`` (builder/expressions.py) and
``BallotFileError`` (voting/ballot_csv.py) are ValueErrors of a parser, with a place in the text (offset, row and
column) rather than a form field: their callers turn them into a DomainError (``DefinitionInvalid``,
``PaperImportRejected``) or a command's message.
"""

from collections.abc import Sequence
from typing import Any

Reason = tuple[str | None, Any]  # (form field or None, message)


class DomainError(Exception):
    """A refused action: ``message`` for the person, next to the form field ``field`` when there is one."""

    def __init__(self, message: Any = "", field: str | None = None) -> None:
        super().__init__(message)  # a lazy string stays lazy: translated when shown, in the reader's language
        self.message = message
        self.field = field

    def reasons(self) -> list[Reason]:
        """Every (field, message) pair to show; one unless a subclass collects several."""
        return [(self.field, self.message)]


class ProblemsFound(DomainError):
    """A document or a file refused for its ``problems`` (each readable as text): the message joins the first five."""

    def __init__(self, problems: Sequence[Any]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems[:5]))
        self.problems = problems

"""The questionnaire expression language: ``relevant`` display conditions and ``constraint`` checks.

A subset of XLSForm expressions, parsed with a real LALR grammar (Lark, never ``eval``)::

    ${age} >= 18 and (selected(${langues}, 'fr') or count-selected(${langues}) > 2)
    . != '' and not(. = ${autre})

- ``${name}`` is the answer to another question; ``.`` the value being checked (constraints only);
- ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=`` (non-associative), then ``and``, then ``or``;
- ``not(x)``, ``selected(x, 'code')``, ``count-selected(x)``;
- arithmetic ``+ - * div mod`` (above comparisons; ``*``, ``div``, ``mod`` before ``+``, ``-``), unary ``-``,
  parentheses; and the functions of XLSForms listed in :data:`CALLS` (``if()``, ``coalesce()``, ``concat()``,
  ``string-length()``, ``round()``, ``today()``, ``regex()``…), evaluated by XPath 1.0's rules (``number()``,
  ``string()``), dates counting as days since 1970-01-01 in arithmetic, as ODK does;
- text between single or double quotes (no escapes, as in XLSForm), numbers such as ``3``, ``-2`` or ``2.5``.

The tree is small, immutable and JSON-serializable (:func:`to_json`), so the browser evaluates the very same
tree with ``app/static/js/conditions.js``; the two evaluators follow the same (ODK/XPath-like) rules:

- an unanswered value (``None``, ``''``, empty list) is the empty string: ``${x} = ''`` is true when it is empty;
- if either side is a number, both are compared as numbers: a numeric text such as ``'12'`` is converted, anything
  else (including an unanswered value) becomes NaN, so ``=``/``<``/... are false and ``!=`` is true;
- otherwise both sides are compared as text (ISO dates ``'YYYY-MM-DD'`` order correctly); ``<``, ``<=``, ``>``,
  ``>=`` are false when a side is empty;
- ``True``/``False`` compare as ``'yes'``/``'no'``; dates as ISO text; a multiple choice as its codes joined by
  spaces (as in XForms); ``selected`` and ``count-selected`` split a text value on whitespace;
- truthiness: ``None``, ``''``, ``0``, NaN, ``False`` and empty lists are false;
- evaluation never raises: a value of an unexpected type makes the comparison false.
"""

from __future__ import annotations

import datetime
import logging
import math
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from flask_babel import lazy_gettext as _l

if TYPE_CHECKING:
    from lark import Lark, Token, Tree
    from lark.exceptions import UnexpectedInput

__all__ = [
    "ARITHMETIC_OPERATORS",
    "CALLS",
    "COMPARISON_OPERATORS",
    "FUNCTIONS",
    "MAX_DEPTH",
    "And",
    "Arith",
    "Call",
    "Compare",
    "CountSelected",
    "Current",
    "Expression",
    "ExpressionError",
    "Location",
    "Neg",
    "Not",
    "Num",
    "Or",
    "Ref",
    "Selected",
    "Str",
    "check_references",
    "evaluate",
    "from_json",
    "is_true",
    "is_valid_name",
    "iter_nodes",
    "parse",
    "references",
    "to_json",
]

logger = logging.getLogger(__name__)

#: Deepest tree accepted (from the parser or from JSON), so that the recursive evaluators stay far from the
#: recursion limit; a chain of 150 ``or`` is still fine.
MAX_DEPTH = 200
COMPARISON_OPERATORS = frozenset({"=", "!=", "<", "<=", ">", ">="})
#: Function name → number of arguments (``not``, ``selected`` and ``count-selected`` have nodes of their own).
FUNCTIONS: Mapping[str, int] = MappingProxyType({"not": 1, "selected": 2, "count-selected": 1})
#: The other functions (XLSForm's commonly used ones): name → (fewest, most arguments; ``None``: any number).
CALLS: Mapping[str, tuple[int, int | None]] = MappingProxyType(
    {
        "if": (3, 3),
        "coalesce": (2, 2),
        "concat": (1, None),
        "string-length": (1, 1),
        "string": (1, 1),
        "number": (1, 1),
        "int": (1, 1),
        "round": (1, 2),
        "floor": (1, 1),
        "ceiling": (1, 1),
        "abs": (1, 1),
        "pow": (2, 2),
        "sqrt": (1, 1),
        "sin": (1, 1),
        "cos": (1, 1),
        "tan": (1, 1),
        "asin": (1, 1),
        "acos": (1, 1),
        "atan": (1, 1),
        "atan2": (2, 2),
        "exp": (1, 1),
        "exp10": (1, 1),
        "log": (1, 1),
        "log10": (1, 1),
        "pi": (0, 0),
        "min": (1, None),
        "max": (1, None),
        "sum": (1, 1),
        "true": (0, 0),
        "false": (0, 0),
        "boolean": (1, 1),
        "boolean-from-string": (1, 1),
        "contains": (2, 2),
        "starts-with": (2, 2),
        "ends-with": (2, 2),
        "substring": (2, 3),
        "substring-before": (2, 2),
        "substring-after": (2, 2),
        "normalize-space": (1, 1),
        "translate": (3, 3),
        "regex": (2, 2),
        "join": (2, None),
        "selected-at": (2, 2),
        "once": (1, 1),
        "uuid": (0, 0),
        "today": (0, 0),
        "now": (0, 0),
        "date": (1, 1),
        "decimal-date-time": (1, 1),
        "decimal-time": (1, 1),
        "format-date": (2, 2),
        "format-date-time": (2, 2),
    }
)
ARITHMETIC_OPERATORS = frozenset({"+", "-", "*", "div", "mod"})
#: How long a text ``regex()`` reads at most (a form's pattern is applied to what a respondent typed).
MAX_REGEX_TEXT = 1000

# An XLSForm (XML) name: a letter or "_", then letters, digits, "_", "-", ".".
_NAME_RE = re.compile(r"[^\W\d][\w.\-]*")
# Same regular expressions in conditions.js: keep them identical.
_NUMERIC_RE = re.compile(r"[ \t\n\r]*-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[ \t\n\r]*")
_SPACES_RE = re.compile(r"[ \t\n\r]+")
_CURLY_QUOTES = "‘’‚‛“”„‟«»‹›"

_GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr | or_expr OR and_expr
?and_expr: comparison | and_expr AND comparison
?comparison: sum | sum COMP_OP sum
?sum: product | sum PLUS product -> arith | sum MINUS product -> arith
?product: unary | product TIMES unary -> arith | product DIV unary -> arith | product MOD unary -> arith
?unary: atom | MINUS unary -> neg
?atom: REF -> ref
     | DOT -> current
     | STRING -> string
     | NUMBER -> number
     | NAME -> bare_name
     | NAME "(" [arguments] ")" -> call
     | "(" or_expr ")"
arguments: or_expr ("," or_expr)*

REF: /\$\{[^}]*\}/
STRING: /'[^']*'|"[^"]*"/
NUMBER: /(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)/
NAME: /[^\W\d][\w.\-]*/
COMP_OP: "!=" | "<=" | ">=" | "=" | "<" | ">"
AND: "and"
OR: "or"
DIV: "div"
MOD: "mod"
PLUS: "+"
MINUS: "-"
TIMES: "*"
DOT: "."
%ignore /\s+/
"""


@lru_cache(maxsize=1)
def parser() -> Lark:
    """The LALR parser of the grammar, built on first use (lark and the grammar: ~30 ms a process start need not
    pay: most commands never read a condition)."""
    from lark import Lark

    return Lark(_GRAMMAR, parser="lalr", lexer="basic", propagate_positions=True, maybe_placeholders=True)


class Location(NamedTuple):
    """Where a node starts in its source: 0-based character offset, 1-based line and column."""

    position: int
    line: int
    column: int


UNKNOWN_LOCATION = Location(-1, 0, 0)


class ExpressionError(ValueError):
    """An expression that cannot be parsed or refers to the wrong questions.

    ``message`` is a lazy translatable string; ``position`` the 0-based character offset of the fault, ``line`` and
    ``column`` the same place, 1-based.
    """

    def __init__(self, message: Any, location: Location) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.position, self.line, self.column = location

    def __str__(self) -> str:
        return str(self.message)

    def __repr__(self) -> str:
        return f"ExpressionError({str(self.message)!r}, position={self.position})"


def _locate(source: str, position: int) -> Location:
    line = source.count("\n", 0, position) + 1
    return Location(position, line, position - (source.rfind("\n", 0, position) + 1) + 1)


# ---------------------------------------------------------------------------------------------------------- tree


@dataclass(frozen=True, slots=True)
class Expression:
    """Base class of the tree nodes. ``loc`` is not part of equality, so a JSON round trip compares equal."""

    loc: Location = field(default=UNKNOWN_LOCATION, compare=False, repr=False, kw_only=True)

    @property
    def position(self) -> int:
        return self.loc.position


@dataclass(frozen=True, slots=True)
class Ref(Expression):
    """``${name}``: the answer to a question."""

    name: str


@dataclass(frozen=True, slots=True)
class Current(Expression):
    """``.``: the value being checked by a constraint."""


@dataclass(frozen=True, slots=True)
class Str(Expression):
    value: str


@dataclass(frozen=True, slots=True)
class Num(Expression):
    value: int | float


@dataclass(frozen=True, slots=True)
class Compare(Expression):
    op: str  # one of COMPARISON_OPERATORS
    left: Expression
    right: Expression


@dataclass(frozen=True, slots=True)
class And(Expression):
    left: Expression
    right: Expression


@dataclass(frozen=True, slots=True)
class Or(Expression):
    left: Expression
    right: Expression


@dataclass(frozen=True, slots=True)
class Not(Expression):
    operand: Expression


@dataclass(frozen=True, slots=True)
class Selected(Expression):
    """``selected(value, choice)``."""

    value: Expression
    choice: Expression


@dataclass(frozen=True, slots=True)
class CountSelected(Expression):
    value: Expression


@dataclass(frozen=True, slots=True)
class Arith(Expression):
    """``left + right``, ``-``, ``*``, ``div``, ``mod``: numbers (XPath's rules)."""

    op: str  # one of ARITHMETIC_OPERATORS
    left: Expression
    right: Expression


@dataclass(frozen=True, slots=True)
class Neg(Expression):
    """``-x``."""

    operand: Expression


@dataclass(frozen=True, slots=True)
class Call(Expression):
    """A function of :data:`CALLS`: ``if(…)``, ``concat(…)``, ``round(…)``…"""

    name: str
    args: tuple[Expression, ...]


def is_valid_name(name: str) -> bool:
    """Whether ``name`` is a valid XLSForm question name (letters, digits, ``_ - .``; starts with a letter or ``_``)."""
    return bool(_NAME_RE.fullmatch(name))


def iter_nodes(expr: Expression) -> Iterator[Expression]:
    """All nodes, parents before children, left to right (hence in source order)."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(_children(node)))


def _children(node: Expression) -> tuple[Expression, ...]:
    match node:
        case Compare(_, left, right) | And(left, right) | Or(left, right) | Selected(left, right):
            return (left, right)
        case Arith(_, left, right):
            return (left, right)
        case Not(operand) | CountSelected(operand) | Neg(operand):
            return (operand,)
        case Call(_, args):
            return args
    return ()


def references(expr: Expression) -> list[tuple[str, int]]:
    """The ``${name}`` references of ``expr``, in source order (repeated ones included), with their offsets."""
    return [(node.name, node.position) for node in iter_nodes(expr) if isinstance(node, Ref)]


# --------------------------------------------------------------------------------------------------------- parse


def parse(source: str) -> Expression:
    """Parse an expression; raise :class:`ExpressionError` (with the position of the fault) if it is not valid.

    Results are cached: the nodes are immutable and may be shared.
    """
    return _parse_cached(source)


@lru_cache(maxsize=4096)
def _parse_cached(source: str) -> Expression:
    if not source.strip():
        raise ExpressionError(_l("The expression is empty."), _locate(source, 0))
    from lark.exceptions import UnexpectedInput

    try:
        tree = parser().parse(source)
    except UnexpectedInput as exc:
        raise _syntax_error(source, exc) from None
    return _build(source, tree)


def _syntax_error(source: str, exc: UnexpectedInput) -> ExpressionError:
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    end = len(source.rstrip())
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream
        char = source[pos]
        where = {"char": pos + 1}
        if char in "'\"":
            message = _l("The text starting at character %(char)d has no closing quote %(quote)s.", quote=char, **where)
        elif source.startswith("${", pos):
            message = _l("The reference starting at character %(char)d has no closing “}”.", **where)
        elif char == "$":
            message = _l("Unexpected “$” at character %(char)d: a question is referred to as ${name}.", **where)
        elif char in _CURLY_QUOTES:
            message = _l(
                "Curly quote “%(symbol)s” at character %(char)d: put text between straight quotes ' or \".",
                symbol=char,
                **where,
            )
        else:
            message = _l("Unexpected symbol “%(symbol)s” at character %(char)d.", symbol=char, **where)
        return ExpressionError(message, _locate(source, pos))
    if isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        found: Token = exc.token
        pos = found.start_pos
        where = {"char": pos + 1}
        if found == "=" and source[pos - 1 : pos] == "=":
            message = _l("Use a single “=” to compare (character %(char)d).", **where)
        elif found.type == "COMP_OP" and "AND" in exc.expected:
            message = _l("Comparisons cannot be chained (character %(char)d): combine them with “and”.", **where)
        elif found.type == "NAME" and found.lower() in {"and", "or"}:
            message = _l("Write “%(keyword)s” in lowercase (character %(char)d).", keyword=found.lower(), **where)
        else:
            shown = found if len(found) <= 30 else found[:29] + "…"
            message = _l("Unexpected “%(token)s” at character %(char)d.", token=shown, **where)
        return ExpressionError(message, _locate(source, pos))
    # The expression ends too early.
    expected = exc.expected if isinstance(exc, UnexpectedToken | UnexpectedEOF) else set()
    opening = _unclosed_parenthesis(source) if "RPAR" in expected else None
    if opening is not None:
        message = _l("Missing “)”: the “(” at character %(char)d is never closed.", char=opening + 1)
    else:
        message = _l(
            "The expression is incomplete: something is missing at the end (character %(char)d).", char=end + 1
        )
    return ExpressionError(message, _locate(source, end))


def _unclosed_parenthesis(source: str) -> int | None:
    stack: list[int] = []
    for token in parser().lex(source):
        if token.type == "LPAR":
            stack.append(token.start_pos)
        elif token.type == "RPAR" and stack:
            stack.pop()
    return stack[-1] if stack else None


def _build(source: str, tree: Tree) -> Expression:
    """Turn the Lark tree into our nodes, without recursion (deep trees are refused, not crashed on)."""
    from lark import Tree

    # First the faults that the grammar lets through, in source order so the first one is reported.
    for subtree in tree.iter_subtrees_topdown():
        _check_tree(source, subtree)
    built: dict[int, Any] = {}
    depth: dict[int, int] = {}
    for subtree in tree.iter_subtrees():  # children before their parent
        kids = [built[id(child)] if isinstance(child, Tree) else child for child in subtree.children]
        below = max((depth[id(child)] for child in subtree.children if isinstance(child, Tree)), default=0)
        depth[id(subtree)] = below + (subtree.data != "arguments")  # depth of our tree, not Lark's
        loc = _locate(source, subtree.meta.start_pos)
        if depth[id(subtree)] > MAX_DEPTH:
            raise ExpressionError(
                _l("The expression is too deeply nested (character %(char)d).", char=loc.position + 1), loc
            )
        built[id(subtree)] = _node(subtree.data, kids, loc)
    return built[id(tree)]


def _check_tree(source: str, subtree: Tree) -> None:
    if subtree.data == "ref":
        token = subtree.children[0]
        name = token[2:-1]
        pos = token.start_pos
        if not name:
            raise ExpressionError(
                _l(
                    "Empty reference “${}” at character %(char)d: write the name of a question between the braces.",
                    char=pos + 1,
                ),
                _locate(source, pos),
            )
        if not is_valid_name(name):
            raise ExpressionError(
                _l(
                    "“%(name)s” at character %(char)d is not a valid question name: a name starts with a letter or "
                    "“_” and contains only letters, digits, “_”, “-” and “.”.",
                    name=name,
                    char=pos + 3,
                ),
                _locate(source, pos + 2),
            )
    elif subtree.data == "bare_name":
        token = subtree.children[0]
        raise ExpressionError(
            _l(
                "“%(name)s” at character %(char)d is not understood: to use the answer to a question, "
                "write ${%(name)s}.",
                name=str(token),
                char=token.start_pos + 1,
            ),
            _locate(source, token.start_pos),
        )
    elif subtree.data == "call":
        token, arguments = subtree.children
        given = 0 if arguments is None else len(arguments.children)
        name = str(token)
        loc = _locate(source, token.start_pos)
        if name in CALLS:
            low, high = CALLS[name]
            if given < low or (high is not None and given > high):
                where = {"name": name, "char": loc.position + 1, "given": given, "min": low, "max": high}
                if low == high == 0:
                    message = _l("“%(name)s()” at character %(char)d takes no argument, not %(given)d.", **where)
                elif low == high == 1:
                    message = _l("“%(name)s()” at character %(char)d takes one argument, not %(given)d.", **where)
                elif low == high:
                    message = _l("“%(name)s()” at character %(char)d takes %(min)d arguments, not %(given)d.", **where)
                elif high is None:
                    message = _l(
                        "“%(name)s()” at character %(char)d takes at least %(min)d argument(s), not %(given)d.",
                        **where,
                    )
                else:
                    message = _l(
                        "“%(name)s()” at character %(char)d takes %(min)d to %(max)d arguments, not %(given)d.",
                        **where,
                    )
                raise ExpressionError(message, loc)
            return
        if name not in FUNCTIONS:
            if name.lower() in FUNCTIONS or name.lower() in CALLS:
                message = _l(
                    "Write “%(keyword)s” in lowercase (character %(char)d).",
                    keyword=name.lower(),
                    char=loc.position + 1,
                )
            else:
                message = _l(
                    "Unknown function “%(name)s” at character %(char)d: the functions are %(functions)s.",
                    name=name,
                    char=loc.position + 1,
                    functions=", ".join(f"{known}()" for known in [*FUNCTIONS, *CALLS]),
                )
            raise ExpressionError(message, loc)
        if given != FUNCTIONS[name]:
            where = {"name": name, "char": loc.position + 1, "given": given}
            if FUNCTIONS[name] == 1:
                message = _l("“%(name)s()” at character %(char)d takes one argument, not %(given)d.", **where)
            else:
                message = _l("“%(name)s()” at character %(char)d takes two arguments, not %(given)d.", **where)
            raise ExpressionError(message, loc)


def _node(kind: str, kids: list[Any], loc: Location) -> Any:
    match kind:
        case "ref":
            return Ref(kids[0][2:-1], loc=loc)
        case "current":
            return Current(loc=loc)
        case "string":
            return Str(kids[0][1:-1], loc=loc)
        case "number":
            text = str(kids[0])
            return Num(float(text) if "." in text else int(text), loc=loc)
        case "neg":
            operand = kids[1]
            if isinstance(operand, Num):  # -2 is the number -2
                return Num(-operand.value, loc=loc)
            return Neg(operand, loc=loc)
        case "arith":
            return Arith(str(kids[1]), kids[0], kids[2], loc=loc)
        case "comparison":
            return Compare(str(kids[1]), kids[0], kids[2], loc=loc)
        case "and_expr":
            return And(kids[0], kids[2], loc=loc)
        case "or_expr":
            return Or(kids[0], kids[2], loc=loc)
        case "arguments":
            return kids
        case "call":
            name, arguments = kids[0], kids[1]
            if name == "not":
                return Not(arguments[0], loc=loc)
            if name == "selected":
                return Selected(arguments[0], arguments[1], loc=loc)
            if name == "count-selected":
                return CountSelected(arguments[0], loc=loc)
            return Call(str(name), tuple(arguments or ()), loc=loc)
    raise AssertionError(kind)  # pragma: no cover - the grammar has no other rule


# ----------------------------------------------------------------------------------------------------- references


def check_references(
    expr: Expression,
    *,
    known: Collection[str],
    allowed: Collection[str],
    current: str | None = None,
    allow_self: bool = False,
) -> None:
    """Refuse references to unknown questions and to questions that may not be used here.

    ``known``: the names of all the questions of the survey; ``allowed``: those this expression may use (for
    example the questions that come before). ``current``: the question the expression belongs to (for a page,
    ``None``). ``allow_self``: whether the value being checked may be used, as ``.`` or ``${current}`` (true for a
    constraint, false for a display condition). Raise :class:`ExpressionError` at the first fault.
    """
    known = set(known)
    allowed = set(allowed)
    for node in iter_nodes(expr):
        if isinstance(node, Current) and not allow_self:
            raise ExpressionError(
                _l(
                    "“.” (the answer being checked, at character %(char)d) can only be used in a constraint.",
                    char=node.position + 1,
                ),
                node.loc,
            )
        if not isinstance(node, Ref) or (allow_self and node.name == current):
            continue
        if node.name not in known:
            raise ExpressionError(_l("Unknown question “%(name)s”.", name=node.name), node.loc)
        if node.name in allowed:
            continue
        if node.name == current:
            message = _l("A display condition cannot use the answer to its own question “%(name)s”.", name=node.name)
        else:
            message = _l(
                "The question “%(name)s” comes later in the questionnaire: a condition can only use the answers "
                "to earlier questions.",
                name=node.name,
            )
        raise ExpressionError(message, node.loc)


# ------------------------------------------------------------------------------------------------------ evaluate


def evaluate(expr: Expression, answers: Mapping[str, Any], *, current: Any = None) -> Any:
    """The value of ``expr`` given the ``answers`` (name → value) and the value being checked (``.``).

    Never raises: if something unexpected happens, the result is ``False``.
    """
    try:
        return _eval(expr, answers, current)
    except Exception:  # a condition must never crash a request
        logger.warning("Could not evaluate a %s expression", type(expr).__name__, exc_info=True)
        return False


def is_true(expr: Expression, answers: Mapping[str, Any], current: Any = None) -> bool:
    """Whether the condition holds (truthiness of :func:`evaluate`)."""
    return _truthy(evaluate(expr, answers, current=current))


def _eval(node: Expression, answers: Mapping[str, Any], current: Any) -> Any:
    match node:
        case Ref(name):
            return answers.get(name)
        case Current():
            return current
        case Str(value) | Num(value):
            return value
        case Compare(op, left, right):
            return _compare(op, _eval(left, answers, current), _eval(right, answers, current))
        case And(left, right):
            return _truthy(_eval(left, answers, current)) and _truthy(_eval(right, answers, current))
        case Or(left, right):
            return _truthy(_eval(left, answers, current)) or _truthy(_eval(right, answers, current))
        case Not(operand):
            return not _truthy(_eval(operand, answers, current))
        case Selected(value, choice):
            code = _scalar(_eval(choice, answers, current))
            if code is None:
                return False
            if isinstance(code, float):
                code = _number_text(code)
            return code in _choices(_eval(value, answers, current))
        case CountSelected(value):
            return len(_choices(_eval(value, answers, current)))
        case Arith(op, left, right):
            return _arith(op, _number(_eval(left, answers, current)), _number(_eval(right, answers, current)))
        case Neg(operand):
            return -_number(_eval(operand, answers, current))
        case Call(name, args):
            return _call(name, args, answers, current)
    raise TypeError(f"not an expression node: {type(node).__name__}")


# The functions, as in conditions.js (keep the two identical). Texts and numbers follow XPath 1.0; dates are days
# since 1970-01-01 when used as numbers (as ODK does), ISO text otherwise.

_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?")
_EPOCH = datetime.date(1970, 1, 1)
_TIME_RE = re.compile(r"^(\d{2}):(\d{2})(?::(\d{2}))?")


def _days(text: str) -> float:
    """Days since 1970-01-01 of an ISO date or date-time text (NaN when it is not one)."""
    match = _DATE_RE.match(text)
    if not match:
        return math.nan
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
    if year < 100:  # not an answer; JavaScript's Date.UTC would read it as 1900-1999
        return math.nan
    try:
        days = (datetime.date(year, month, day) - _EPOCH).days
    except ValueError:
        return math.nan
    return days + (hour * 3600 + minute * 60 + second) / 86400


def _number(value: Any) -> float:
    """XPath's number(): numbers as they are, true 1, false 0, numeric text, dates as days; NaN otherwise."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float | Decimal):
        return float(value)
    if isinstance(value, datetime.date):
        return _days(value.isoformat())
    if isinstance(value, str):
        if _NUMERIC_RE.fullmatch(value):
            return float(value)
        return _days(value) if _DATE_RE.fullmatch(value.strip()) else math.nan
    if isinstance(value, list | tuple) and len(value) == 1:
        return _number(value[0])
    return math.nan


def _string(value: Any) -> str:
    """XPath's string(): true/false, numbers as JavaScript writes them, a multiple choice as its codes."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return _number_text(float(value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return " ".join(_text(item) for item in value)
    return ""


def _empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, list | tuple) and not value)


def _arith(op: str, a: float, b: float) -> float:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "div":
        if b == 0:
            return math.nan if a == 0 or a != a else math.copysign(math.inf, a) * math.copysign(1, b)
        return a / b
    if b == 0 or a != a or b != b or math.isinf(a):
        return math.nan
    return math.fmod(a, b) if not math.isinf(b) else a


def _math(name: str, args: list[float]) -> float:
    """XPath's (ODK's) math functions as JavaScript's Math computes them: NaN outside their domain, infinities
    where JavaScript gives them (``log(0)`` is -Infinity), never an exception."""
    if name == "pi":
        return math.pi
    if any(x != x for x in args):
        return math.nan
    x = args[0]
    try:
        match name:
            case "log" | "log10":
                if x == 0:
                    return -math.inf
                return math.nan if x < 0 else (math.log(x) if name == "log" else math.log10(x))
            case "exp" | "exp10":
                return math.exp(x) if name == "exp" else math.pow(10.0, x)
            case "atan2":
                return math.atan2(x, args[1])
            case "asin" | "acos":
                return getattr(math, name)(x) if -1 <= x <= 1 else math.nan
            case _:
                return getattr(math, name)(x) if math.isfinite(x) or name == "atan" else math.nan
    except OverflowError:
        return math.inf
    except ValueError:
        return math.nan


def _round(x: float, digits: float = 0) -> float:
    if not math.isfinite(x) or digits != digits or abs(digits) > 20:
        return x
    factor = 10.0 ** int(digits)
    return math.floor(x * factor + 0.5) / factor


def _numbers(values: list[Any]) -> list[float]:
    result: list[float] = []
    for value in values:
        if isinstance(value, list | tuple):
            result.extend(_number(item) for item in value)
        else:
            result.append(_number(value))
    return result


def _substring(text: str, start: float, length: float | None) -> str:
    chars = list(text)
    first = math.floor(start + 0.5) if math.isfinite(start) else start
    if first != first:
        return ""
    end = math.inf if length is None else first + (math.floor(length + 0.5) if math.isfinite(length) else length)
    if end != end:
        return ""
    return "".join(c for p, c in enumerate(chars, start=1) if first <= p < end)


def _format_date(value: Any, pattern: str) -> str:
    text = value.isoformat() if isinstance(value, datetime.date) else _string(value)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        text = _date_text(float(value))
    match = _DATE_RE.match(text)
    if not match:
        return ""
    year, month, day, hour, minute, second = (g or "00" for g in match.groups())
    parts = {
        "Y": year,
        "y": year[-2:],
        "m": month,
        "n": str(int(month)),
        "d": day,
        "e": str(int(day)),
        "H": hour,
        "M": minute,
        "S": second,
        "%": "%",
    }
    return re.sub(r"%(.)", lambda m: parts.get(m.group(1), m.group(0)), pattern, flags=re.DOTALL)


def _date_text(days: float) -> str:
    if not math.isfinite(days) or abs(days) > 3_000_000:
        return ""
    return (_EPOCH + datetime.timedelta(days=math.floor(days))).isoformat()


def _call(name: str, args: tuple[Expression, ...], answers: Mapping[str, Any], current: Any) -> Any:
    if name == "if":
        chosen = args[1] if _truthy(_eval(args[0], answers, current)) else args[2]
        return _eval(chosen, answers, current)
    if name == "coalesce":
        first = _eval(args[0], answers, current)
        return _eval(args[1], answers, current) if _empty(first) else first
    values = [_eval(arg, answers, current) for arg in args]
    match name:
        case "concat":
            return "".join(_string(v) for v in values)
        case "string-length":
            return float(len(_string(values[0])))
        case "string":
            return _string(values[0])
        case "number":
            return _number(values[0])
        case "int":
            x = _number(values[0])
            return float(math.trunc(x)) if math.isfinite(x) else x
        case "round":
            return _round(_number(values[0]), _number(values[1]) if len(values) > 1 else 0)
        case "floor":
            x = _number(values[0])
            return float(math.floor(x)) if math.isfinite(x) else x
        case "ceiling":
            x = _number(values[0])
            return float(math.ceil(x)) if math.isfinite(x) else x
        case "abs":
            return abs(_number(values[0]))
        case "pow":
            try:
                return math.pow(_number(values[0]), _number(values[1]))
            except (ValueError, OverflowError):
                return math.nan
        case "sqrt":
            x = _number(values[0])
            return math.sqrt(x) if x >= 0 else math.nan
        case "sin" | "cos" | "tan" | "asin" | "acos" | "atan" | "atan2" | "exp" | "exp10" | "log" | "log10" | "pi":
            return _math(name, [_number(v) for v in values])
        case "min" | "max":
            numbers = _numbers(values)
            if not numbers or any(n != n for n in numbers):
                return math.nan
            return min(numbers) if name == "min" else max(numbers)
        case "sum":
            return sum(_numbers(values), 0.0) if isinstance(values[0], list | tuple) else _number(values[0])
        case "true":
            return True
        case "false":
            return False
        case "boolean":
            return _truthy(values[0])
        case "boolean-from-string":
            return _string(values[0]) in {"true", "1"}
        case "contains":
            return _string(values[1]) in _string(values[0])
        case "starts-with":
            return _string(values[0]).startswith(_string(values[1]))
        case "ends-with":
            return _string(values[0]).endswith(_string(values[1]))
        case "substring":
            length = _number(values[2]) if len(values) > 2 else None
            return _substring(_string(values[0]), _number(values[1]), length)
        case "substring-before":
            text, part = _string(values[0]), _string(values[1])
            index = text.find(part)
            return text[:index] if index >= 0 else ""
        case "substring-after":
            text, part = _string(values[0]), _string(values[1])
            index = text.find(part)
            return text[index + len(part) :] if index >= 0 else ""
        case "normalize-space":
            return " ".join(code for code in _SPACES_RE.split(_string(values[0])) if code)
        case "translate":
            text, old, new = (_string(v) for v in values)
            table: dict[str, str] = {}
            for index, char in enumerate(old):
                table.setdefault(char, new[index] if index < len(new) else "")
            return "".join(table.get(char, char) for char in text)
        case "regex":
            text = _string(values[0])
            if len(text) > MAX_REGEX_TEXT:
                return False
            try:
                return re.search(_string(values[1]), text, re.ASCII) is not None
            except re.error:
                return False
        case "join":
            return _string(values[0]).join(code for value in values[1:] for code in _choices(value))
        case "selected-at":
            codes, index = _choices(values[0]), _number(values[1])
            return codes[int(index)] if math.isfinite(index) and 0 <= index < len(codes) else ""
        case "once":
            return values[0]
        case "uuid":
            import uuid

            return str(uuid.uuid4())
        case "today":
            return datetime.date.today().isoformat()
        case "now":
            return datetime.datetime.now().replace(microsecond=0).isoformat()
        case "date":
            value = values[0]
            if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                return _date_text(float(value))
            text = _string(value)
            return text[:10] if _DATE_RE.match(text) and _days(text) == _days(text) else ""
        case "decimal-time":
            match = _TIME_RE.match(_string(values[0]))
            if not match:
                return math.nan
            hour, minute, second = (int(g) if g else 0 for g in match.groups())
            return (
                (hour * 3600 + minute * 60 + second) / 86400 if hour < 24 and minute < 60 and second < 60 else math.nan
            )
        case "decimal-date-time":
            return _number(values[0]) if not isinstance(values[0], str) else _days(values[0])
        case "format-date" | "format-date-time":
            return _format_date(values[0], _string(values[1]))
    raise TypeError(f"not a function: {name}")


def _truthy(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return value != 0 and value == value  # NaN is false
    if isinstance(value, str | list | tuple | set | frozenset):
        return len(value) > 0
    return isinstance(value, datetime.date)


def _number_text(value: float) -> str:
    """A number as JavaScript's ``String(n)`` writes it, for the common cases."""
    if value != value:
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    text = repr(value)
    if "e" not in text:  # Python writes without exponent a range JavaScript writes so too
        return text.removesuffix(".0")
    mantissa, exponent = text.split("e")
    sign = "-" if mantissa.startswith("-") else ""
    mantissa = mantissa.lstrip("-")
    point = mantissa.index(".") if "." in mantissa else len(mantissa)
    digits = mantissa.replace(".", "").rstrip("0") or "0"
    where = point + int(exponent)  # the value is 0.<digits> × 10^where
    if len(digits) <= where <= 21:
        return sign + digits + "0" * (where - len(digits))
    if 0 < where <= 21:
        return sign + digits[:where] + "." + digits[where:]
    if -6 < where <= 0:
        return sign + "0." + "0" * -where + digits
    power = where - 1
    head = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{sign}{head}e{'+' if power > 0 else '-'}{abs(power)}"


def _text(value: Any) -> str:
    """One code of a multiple choice."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return _number_text(float(value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _scalar(value: Any) -> str | float | None:
    """A value reduced to a text or a number (``float``), or ``None`` if it cannot be compared."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return float(value)
    if isinstance(value, str):
        return value
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return " ".join(_text(item) for item in value)
    if isinstance(value, set | frozenset):
        return " ".join(sorted(_text(item) for item in value))
    return None


def _choices(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [_text(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted(_text(item) for item in value)
    scalar = _scalar(value)
    if scalar is None:
        return []
    text = _number_text(scalar) if isinstance(scalar, float) else scalar
    return [code for code in _SPACES_RE.split(text) if code]


def _as_number(value: str | float) -> float:
    if isinstance(value, float):
        return value
    return float(value) if _NUMERIC_RE.fullmatch(value) else math.nan


def _compare(op: str, left: Any, right: Any) -> bool:
    a, b = _scalar(left), _scalar(right)
    if a is None or b is None:
        return False
    if isinstance(a, float) or isinstance(b, float):
        a, b = _as_number(a), _as_number(b)
    elif op not in {"=", "!="} and (a == "" or b == ""):
        return False
    match op:
        case "=":
            return a == b
        case "!=":
            return a != b
        case "<":
            return a < b
        case "<=":
            return a <= b
        case ">":
            return a > b
        case ">=":
            return a >= b
    return False


# ---------------------------------------------------------------------------------------------------------- JSON


def to_json(expr: Expression) -> Any:
    """The tree as nested lists, e.g. ``["and", ["=", ["ref", "age"], ["num", 3]], ["not", ["self"]]]``."""
    match expr:
        case Ref(name):
            return ["ref", name]
        case Current():
            return ["self"]
        case Str(value):
            return ["str", value]
        case Num(value):
            return ["num", value]
        case Compare(op, left, right):
            return [op, to_json(left), to_json(right)]
        case And(left, right):
            return ["and", to_json(left), to_json(right)]
        case Or(left, right):
            return ["or", to_json(left), to_json(right)]
        case Not(operand):
            return ["not", to_json(operand)]
        case Selected(value, choice):
            return ["selected", to_json(value), to_json(choice)]
        case CountSelected(value):
            return ["count-selected", to_json(value)]
        case Arith(op, left, right):
            return [op, to_json(left), to_json(right)]
        case Neg(operand):
            return ["neg", to_json(operand)]
        case Call(name, args):
            return ["call", name, *(to_json(arg) for arg in args)]
    raise TypeError(f"not an expression node: {type(expr).__name__}")


_JSON_ARITY = (
    {"self": 0, "not": 1, "count-selected": 1, "neg": 1, "and": 2, "or": 2, "selected": 2}
    | dict.fromkeys(COMPARISON_OPERATORS, 2)
    | dict.fromkeys(ARITHMETIC_OPERATORS, 2)
)


def from_json(data: Any) -> Expression:
    """The inverse of :func:`to_json`; raise :class:`ExpressionError` on malformed data."""
    return _from_json(data, 1)


def _from_json(data: Any, depth: int) -> Expression:
    if depth > MAX_DEPTH or not isinstance(data, list | tuple) or not data or not isinstance(data[0], str):
        raise ExpressionError(_l("Invalid expression data."), UNKNOWN_LOCATION)
    kind, args = data[0], data[1:]
    if kind in {"ref", "str", "num"}:
        (value,) = args if len(args) == 1 else (None,)
        if kind == "ref" and isinstance(value, str) and is_valid_name(value):
            return Ref(value)
        if kind == "str" and isinstance(value, str):
            return Str(value)
        if kind == "num" and isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            return Num(value)
        raise ExpressionError(_l("Invalid expression data."), UNKNOWN_LOCATION)
    if kind == "call":
        name = args[0] if args else None
        if not isinstance(name, str) or name not in CALLS:
            raise ExpressionError(_l("Invalid expression data."), UNKNOWN_LOCATION)
        low, high = CALLS[name]
        if len(args) - 1 < low or (high is not None and len(args) - 1 > high):
            raise ExpressionError(_l("Invalid expression data."), UNKNOWN_LOCATION)
        return Call(name, tuple(_from_json(arg, depth + 1) for arg in args[1:]))
    if _JSON_ARITY.get(kind) != len(args):
        raise ExpressionError(_l("Invalid expression data."), UNKNOWN_LOCATION)
    kids = [_from_json(arg, depth + 1) for arg in args]
    if kind in ARITHMETIC_OPERATORS:
        return Arith(kind, *kids)
    match kind:
        case "self":
            return Current()
        case "and":
            return And(*kids)
        case "or":
            return Or(*kids)
        case "not":
            return Not(*kids)
        case "selected":
            return Selected(*kids)
        case "count-selected":
            return CountSelected(*kids)
        case "neg":
            return Neg(*kids)
    return Compare(kind, *kids)

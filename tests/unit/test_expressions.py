"""The questionnaire expression language (app/builder/expressions.py): parsing, errors, references, evaluation."""

import ast
import dataclasses
import datetime
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from app.builder import expressions
from app.builder.expressions import (
    MAX_DEPTH,
    And,
    Compare,
    CountSelected,
    Current,
    Expression,
    ExpressionError,
    Not,
    Num,
    Or,
    Ref,
    Selected,
    Str,
    check_references,
    evaluate,
    from_json,
    is_true,
    is_valid_name,
    parse,
    references,
    to_json,
)

ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("source", "tree"),
    [
        ("${age}", ["ref", "age"]),
        ("${_x.y-2}", ["ref", "_x.y-2"]),
        ("${âge}", ["ref", "âge"]),
        (".", ["self"]),
        ("'oui'", ["str", "oui"]),
        ('"l\'été"', ["str", "l'été"]),
        ("''", ["str", ""]),
        ("'a and b'", ["str", "a and b"]),
        ("3", ["num", 3]),
        ("-3", ["num", -3]),
        ("2.5", ["num", 2.5]),
        ("-0.5", ["num", -0.5]),
        (".5", ["num", 0.5]),
        ("${a} = 'x'", ["=", ["ref", "a"], ["str", "x"]]),
        ("${a} != 'x'", ["!=", ["ref", "a"], ["str", "x"]]),
        ("${a} < 3", ["<", ["ref", "a"], ["num", 3]]),
        ("${a} <= 3", ["<=", ["ref", "a"], ["num", 3]]),
        ("${a} > 3", [">", ["ref", "a"], ["num", 3]]),
        ("${a} >= -3", [">=", ["ref", "a"], ["num", -3]]),
        ("${a}>=3", [">=", ["ref", "a"], ["num", 3]]),
        ("${a} and ${b}", ["and", ["ref", "a"], ["ref", "b"]]),
        ("${a} or ${b}", ["or", ["ref", "a"], ["ref", "b"]]),
        ("not(${a})", ["not", ["ref", "a"]]),
        ("not (${a})", ["not", ["ref", "a"]]),
        ("selected(${q}, 'c')", ["selected", ["ref", "q"], ["str", "c"]]),
        ("selected(., 'c')", ["selected", ["self"], ["str", "c"]]),
        ("count-selected(${q})", ["count-selected", ["ref", "q"]]),
        ("count-selected(${q}) >= 2", [">=", ["count-selected", ["ref", "q"]], ["num", 2]]),
        (". != '' and . != ${autre}", ["and", ["!=", ["self"], ["str", ""]], ["!=", ["self"], ["ref", "autre"]]]),
        ("(((${a})))", ["ref", "a"]),
        ("  ${a}\n = \t1  ", ["=", ["ref", "a"], ["num", 1]]),
        ("${a}\u00a0=\u00a01", ["=", ["ref", "a"], ["num", 1]]),  # non-breaking spaces pasted from a document
    ],
)
def test_parse_constructs(source, tree):
    assert to_json(parse(source)) == tree


@pytest.mark.parametrize(
    ("source", "tree"),
    [
        ("${a} or ${b} and ${c}", ["or", ["ref", "a"], ["and", ["ref", "b"], ["ref", "c"]]]),
        ("${a} and ${b} or ${c}", ["or", ["and", ["ref", "a"], ["ref", "b"]], ["ref", "c"]]),
        ("(${a} or ${b}) and ${c}", ["and", ["or", ["ref", "a"], ["ref", "b"]], ["ref", "c"]]),
        ("${a} and ${b} and ${c}", ["and", ["and", ["ref", "a"], ["ref", "b"]], ["ref", "c"]]),
        ("${a} or ${b} or ${c}", ["or", ["or", ["ref", "a"], ["ref", "b"]], ["ref", "c"]]),
        (
            "${a} = 1 or ${b} > 2 and ${c} != 'x'",
            [
                "or",
                ["=", ["ref", "a"], ["num", 1]],
                ["and", [">", ["ref", "b"], ["num", 2]], ["!=", ["ref", "c"], ["str", "x"]]],
            ],
        ),
        ("not(${a} or ${b}) and ${c}", ["and", ["not", ["or", ["ref", "a"], ["ref", "b"]]], ["ref", "c"]]),
        ("(${a} = 1) = (${b} = 2)", ["=", ["=", ["ref", "a"], ["num", 1]], ["=", ["ref", "b"], ["num", 2]]]),
        ("${a}=1or${b}=2", ["or", ["=", ["ref", "a"], ["num", 1]], ["=", ["ref", "b"], ["num", 2]]]),
    ],
)
def test_precedence(source, tree):
    assert to_json(parse(source)) == tree


def test_nodes_are_small_immutable_dataclasses():
    expr = parse("selected(${q}, 'c') and not(count-selected(.) > 2)")
    assert expr == And(
        Selected(Ref("q"), Str("c")),
        Not(Compare(">", CountSelected(Current()), Num(2))),
    )
    assert isinstance(expr, Expression)
    assert isinstance(parse("1 or 2"), Or)
    with pytest.raises(dataclasses.FrozenInstanceError):
        expr.left = Ref("x")
    assert hash(expr) == hash(from_json(to_json(expr)))


def test_nodes_know_where_they_start():
    expr = parse("${a} = 1 and\n  selected(${bb}, 'x')")
    assert expr.position == 0
    selected = expr.right
    assert (selected.loc.position, selected.loc.line, selected.loc.column) == (15, 2, 3)
    assert selected.value.position == 24


def test_numbers_keep_their_type():
    assert parse("3").value == 3
    assert type(parse("3").value) is int
    assert type(parse("3.0").value) is float
    assert parse("-0.25").value == -0.25


def test_parse_is_cached():
    assert parse("${a} = 'cached'") is parse("${a} = 'cached'")


def test_is_valid_name():
    for name in ["a", "_a", "a1", "a.b", "a-b", "Âge_2"]:
        assert is_valid_name(name), name
    for name in ["", "1a", "-a", ".a", "a b", "a$", "a}"]:
        assert not is_valid_name(name), name


# ----------------------------------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("source", "position", "fragment"),
    [
        ("", 0, "empty"),
        ("   ", 0, "empty"),
        ("foo(1)", 0, "Unknown function “foo”"),
        ("${a} = 1 and bar(${b})", 13, "Unknown function “bar”"),
        ("NOT(${a})", 0, "lowercase"),
        ("${a} = 1 AND ${b} = 2", 9, "lowercase"),
        ("${a} # 2", 5, "Unexpected symbol “#”"),
        ("${a} = ‘oui’", 7, "straight quotes"),
        ("'abc", 0, "no closing quote"),
        ("${a} = 'oui", 7, "no closing quote"),
        ('${a} = "oui', 7, "no closing quote"),
        ("(${a} = 1", 9, "the “(” at character 1 is never closed"),
        ("not(${a} = 1 and (${b})", 23, "the “(” at character 4 is never closed"),
        ("selected(${a})", 0, "takes two arguments, not 1"),
        ("count-selected(${a}, 'x')", 0, "takes one argument, not 2"),
        ("not()", 0, "takes one argument, not 0"),
        ("${a} = 1 )", 9, "Unexpected “)”"),
        ("${a} = 1 ${b}", 9, "Unexpected “${b}”"),
        ("${a} = 1 2", 9, "Unexpected “2”"),
        ("${a} andy", 5, "Unexpected “andy”"),
        ("${a} =", 6, "incomplete"),
        ("${a} = 1 and ", 12, "incomplete"),
        ("= 1", 0, "Unexpected “=”"),
        ("${a} == 1", 6, "single “=”"),
        ("1 < ${a} < 3", 9, "cannot be chained"),
        ("${}", 0, "Empty reference"),
        ("${a} = ${}", 7, "Empty reference"),
        ("${1a} = 2", 2, "“1a” at character 3 is not a valid question name"),
        ("${a b}", 2, "not a valid question name"),
        ("${a", 0, "no closing “}”"),
        ("$a = 1", 0, "${name}"),
        ("age = 3", 0, "write ${age}"),
        ("${a} = oui", 7, "write ${oui}"),
        ("selected(${q} 'c')", 14, "Unexpected “'c'”"),
        ("..", 1, "Unexpected “.”"),
        ("-", 1, "The expression is incomplete"),
        ("${a} = 'first' or ${b} = 'x' 'dangling'", 29, "Unexpected “'dangling'”"),
    ],
)
def test_errors_have_the_position_of_the_fault(source, position, fragment):
    with pytest.raises(ExpressionError) as caught:
        parse(source)
    error = caught.value
    assert error.position == position
    assert fragment in str(error)
    assert error.line == 1
    assert error.column == position + 1
    assert isinstance(error, ValueError)


def test_error_line_and_column_on_several_lines():
    with pytest.raises(ExpressionError) as caught:
        parse("${a} = 1\n  and\n ${b} = #")
    assert (caught.value.position, caught.value.line, caught.value.column) == (23, 3, 9)


def test_first_fault_is_reported():
    with pytest.raises(ExpressionError) as caught:
        parse("${1a} = 1 and foo(2)")
    assert caught.value.position == 2
    with pytest.raises(ExpressionError) as caught:
        parse("foo(${1a})")
    assert caught.value.position == 0


def test_error_messages_are_lazy_and_need_no_app():
    with pytest.raises(ExpressionError) as caught:
        parse("foo(1)")
    message = caught.value.message
    assert not isinstance(message, str)  # translated when rendered, in the person's language
    assert str(message) == str(caught.value)
    assert "foo" in repr(caught.value)


def test_long_message_token_is_shortened():
    with pytest.raises(ExpressionError) as caught:
        parse("${a} 'a very long piece of text that goes on and on'")
    assert "…" in str(caught.value)


def test_deep_nesting_is_refused_not_crashed():
    depth = MAX_DEPTH + 10
    with pytest.raises(ExpressionError, match="too deeply nested"):
        parse("not(" * depth + "1" + ")" * depth)
    assert parse("not(" * (MAX_DEPTH - 1) + "1" + ")" * (MAX_DEPTH - 1)) is not None
    parenthesized = "(" * 2000 + "1" + ")" * 2000  # parentheses add no depth
    assert parse(parenthesized) == Num(1)


def test_long_chains_are_fine():
    source = " or ".join(f"selected(${{region}}, 'r{i}')" for i in range(150))
    expr = parse(source)
    assert is_true(expr, {"region": "r149"})
    assert not is_true(expr, {"region": "r150"})


# ------------------------------------------------------------------------------------------------- references


def test_references_with_positions():
    expr = parse("${a} = 1 and (selected(${b}, ${c}) or ${a} != .)")
    assert references(expr) == [("a", 0), ("b", 23), ("c", 29), ("a", 38)]
    assert references(parse("1 = 1")) == []


KNOWN = ["nom", "age", "langues", "avis", "plus_tard"]


def test_check_references_accepts_earlier_questions():
    expr = parse("${age} >= 18 and selected(${langues}, 'fr')")
    check_references(expr, known=KNOWN, allowed=["nom", "age", "langues"], current="avis")


@pytest.mark.parametrize(
    ("source", "position", "fragment"),
    [
        ("${age} > 1 or ${inconnu} = 2", 14, "Unknown question “inconnu”"),
        ("${plus_tard} = 1 or ${inconnu} = 2", 0, "“plus_tard” comes later"),
        ("${inconnu} = 1 or ${plus_tard} = 2", 0, "Unknown question"),
        ("${age} = 1 and ${avis} = 'x'", 15, "its own question “avis”"),
        ("${age} = 1 and . = 'x'", 15, "“.”"),
    ],
)
def test_check_references_refuses(source, position, fragment):
    with pytest.raises(ExpressionError) as caught:
        check_references(parse(source), known=KNOWN, allowed=["nom", "age", "langues"], current="avis")
    assert caught.value.position == position
    assert fragment in str(caught.value)


def test_unknown_and_later_messages_differ():
    messages = set()
    for name in ["inconnu", "plus_tard"]:
        with pytest.raises(ExpressionError) as caught:
            check_references(parse(f"${{{name}}} = 1"), known=KNOWN, allowed=["nom"])
        messages.add(str(caught.value))
    assert len(messages) == 2


def test_constraints_may_use_their_own_value():
    expr = parse(". >= ${age} and ${avis} != ''")
    check_references(expr, known=KNOWN, allowed=["age"], current="avis", allow_self=True)
    with pytest.raises(ExpressionError, match="comes later"):
        check_references(parse(". > ${plus_tard}"), known=KNOWN, allowed=["age"], current="avis", allow_self=True)


def test_page_conditions_have_no_current_question():
    with pytest.raises(ExpressionError, match=r"“\.”"):
        check_references(parse(". = 1"), known=KNOWN, allowed=KNOWN)
    check_references(parse("${avis} = 1"), known=KNOWN, allowed=KNOWN)


# --------------------------------------------------------------------------------------------------- evaluate

D = datetime.date(2024, 3, 15)

EVALUATION = [
    # Unanswered is the empty text.
    ("${x} = ''", {}, True),
    ("${x} = ''", {"x": None}, True),
    ("${x} = ''", {"x": ""}, True),
    ("${x} = ''", {"x": []}, True),
    ("${x} = ''", {"x": "a"}, False),
    ("${x} = ''", {"x": 0}, False),
    ("${x} != ''", {}, False),
    ("${x} != ''", {"x": "a"}, True),
    ("${x} != ''", {"x": 0}, True),
    ("${x} != ''", {"x": ["a"]}, True),
    ("${x} = ${y}", {}, True),
    # Unanswered against a number: NaN, so only != holds.
    ("${x} > 3", {}, False),
    ("${x} < 3", {}, False),
    ("${x} <= 3", {}, False),
    ("${x} = 0", {}, False),
    ("${x} != 0", {}, True),
    # Numbers.
    ("${n} > 10", {"n": 9}, False),
    ("${n} > 10", {"n": 11}, True),
    ("${n} >= 10", {"n": 10}, True),
    ("${n} > 10", {"n": 10.5}, True),
    ("${n} > 10", {"n": Decimal("10.5")}, True),
    ("${n} = 0.1", {"n": Decimal("0.1")}, True),
    ("${n} = 3", {"n": 3.0}, True),
    ("${n} > -1", {"n": -0.5}, True),
    ("${n} = ${n}", {"n": float("nan")}, False),
    ("${n} != ${n}", {"n": float("nan")}, True),
    # Numeric text against a number: numbers; against text: text.
    ("${n} > 10", {"n": "11"}, True),
    ("${n} > 9", {"n": "10"}, True),
    ("${n} > 10", {"n": " 11 "}, True),
    ("${n} = 3", {"n": "3.0"}, True),
    ("${n} > 10", {"n": "11 ans"}, False),
    ("${n} > 10", {"n": "1e3"}, False),
    ("${n} = '3'", {"n": 3}, True),
    ("${t} = '3'", {"t": "3.0"}, False),
    ("${a} < ${b}", {"a": "10", "b": "9"}, True),
    ("${a} < ${b}", {"a": 10, "b": 9}, False),
    ("${a} < ${b}", {"a": 10, "b": "9"}, False),
    # Text.
    ("${s} = 'oui'", {"s": "oui"}, True),
    ("${s} = 'oui'", {"s": "Oui"}, False),
    ("${s} < 'b'", {"s": "a"}, True),
    ("${s} < 'b'", {"s": ""}, False),
    ("${s} >= ''", {"s": "a"}, False),
    # Dates against ISO text.
    ("${d} = '2024-03-15'", {"d": D}, True),
    ("${d} < '2024-06-01'", {"d": D}, True),
    ("${d} >= '2024-03-16'", {"d": D}, False),
    ("${d} < '2024-06-01'", {}, False),
    ("${d} > ${e}", {"d": D, "e": datetime.date(2023, 12, 31)}, True),
    # Yes/no.
    ("${b} = 'yes'", {"b": "yes"}, True),
    ("${b} = 'yes'", {"b": True}, True),
    ("${b} = 'no'", {"b": False}, True),
    ("${b} = 'yes'", {"b": False}, False),
    # Multiple choice compared as its codes joined by spaces.
    ("${q} = 'a b'", {"q": ["a", "b"]}, True),
    ("${q} = 'a'", {"q": ["a"]}, True),
    # selected.
    ("selected(${q}, 'b')", {"q": ["a", "b"]}, True),
    ("selected(${q}, 'c')", {"q": ["a", "b"]}, False),
    ("selected(${q}, 'b')", {"q": ("a", "b")}, True),
    ("selected(${q}, 'b')", {"q": {"a", "b"}}, True),
    ("selected(${q}, 'b')", {"q": "b"}, True),
    ("selected(${q}, 'b')", {"q": "a b c"}, True),
    ("selected(${q}, 'b')", {"q": "bc"}, False),
    ("selected(${q}, 'b')", {}, False),
    ("selected(${q}, 'b')", {"q": []}, False),
    ("selected(${q}, '')", {"q": ""}, False),
    ("selected(${q}, 3)", {"q": ["1", "3"]}, True),
    ("selected(${q}, 3)", {"q": 3}, True),
    ("selected(${q}, 'yes')", {"q": True}, True),
    ("selected(${q}, ${r})", {"q": ["a", "b"], "r": "b"}, True),
    # count-selected.
    ("count-selected(${q})", {"q": ["a", "b", "c"]}, 3),
    ("count-selected(${q})", {}, 0),
    ("count-selected(${q})", {"q": []}, 0),
    ("count-selected(${q})", {"q": "a"}, 1),
    ("count-selected(${q})", {"q": "a  b"}, 2),
    ("count-selected(${q}) >= 2", {"q": ["a", "b"]}, True),
    ("count-selected(${q}) > 2", {"q": ["a", "b"]}, False),
    # not, and, or, truthiness.
    ("not(${x} = 'a')", {"x": "a"}, False),
    ("not(${x} = 'a')", {}, True),
    ("not(${x})", {}, True),
    ("not(${x})", {"x": ""}, True),
    ("not(${x})", {"x": 0}, True),
    ("not(${x})", {"x": []}, True),
    ("not(${x})", {"x": False}, True),
    ("not(${x})", {"x": "0"}, False),
    ("not(${x})", {"x": ["a"]}, False),
    ("not(${x})", {"x": D}, False),
    ("not(${x})", {"x": float("nan")}, True),
    ("${a} = 1 and ${b} = 2", {"a": 1, "b": 2}, True),
    ("${a} = 1 and ${b} = 2", {"a": 1, "b": 3}, False),
    ("${a} = 1 or ${b} = 2", {"a": 0, "b": 2}, True),
    ("${a} = 1 or ${b} = 2", {}, False),
    ("${a} and ${b}", {"a": "x", "b": 5}, True),
    ("${x}", {"x": "valeur"}, "valeur"),
    ("'texte'", {}, "texte"),
    ("2.5", {}, 2.5),
    # Values of unexpected types never raise: the comparison is false.
    ("${x} = ''", {"x": {"a": 1}}, False),
    ("${x} != ''", {"x": {"a": 1}}, False),
    ("${x} = ''", {"x": object()}, False),
    ("selected(${x}, 'a')", {"x": {"a": 1}}, False),
    ("count-selected(${x})", {"x": object()}, 0),
    ("not(${x})", {"x": object()}, True),
    ("${x} > 1", {"x": Decimal("sNaN")}, False),
    ("${x} > 1", {"x": 10**400}, False),
    ("selected(${q}, 'a')", {"q": [None, 1, True, "a"]}, True),
]


@pytest.mark.parametrize(("source", "answers", "expected"), EVALUATION)
def test_evaluate(source, answers, expected):
    result = evaluate(parse(source), answers)
    assert result == expected
    assert type(result) is type(expected)
    assert is_true(parse(source), answers) is bool(expected)


def test_evaluate_current_value():
    assert is_true(parse(". > 3"), {}, current=5)
    assert is_true(parse(". > 3"), {}, 5)
    assert not is_true(parse(". > 3"), {})
    assert is_true(parse(". = ''"), {})
    assert is_true(parse(". >= ${min}"), {"min": 18}, current="18")
    assert is_true(parse("selected(., 'a') and count-selected(.) = 2"), {}, current=["a", "b"])
    assert evaluate(parse("."), {}, current=[1]) == [1]


def test_evaluate_short_circuits():
    class Explosive(dict):
        def get(self, key, default=None):
            if key == "boom":
                raise AssertionError("evaluated")
            return super().get(key, default)

    assert is_true(parse("${a} = 1 or ${boom} = 1"), Explosive(a=1))
    assert not is_true(parse("${a} = 2 and ${boom} = 1"), Explosive(a=1))


def test_evaluate_never_raises():
    assert evaluate(parse("${boom} = 1"), {"boom": 1}) is True

    class Broken(dict):
        def get(self, key, default=None):
            raise RuntimeError("database gone")

    assert evaluate(parse("${a} != 1"), Broken()) is False
    assert is_true(parse("not(${a})"), Broken()) is False
    assert evaluate(Expression(), {}) is False  # not a real node


def test_evaluate_same_after_json_round_trip():
    for source, answers, expected in EVALUATION:
        assert evaluate(from_json(json.loads(json.dumps(to_json(parse(source))))), answers) == expected


# ------------------------------------------------------------------------------------------------------- JSON


ROUND_TRIP = [
    "${a} = 'x' and (. != 2.5 or not(selected(${q}, 'c')))",
    "count-selected(${q}) >= -2",
    "${a} < 1 or ${a} <= 1 or ${a} > 1 or ${a} >= 1 or ${a} != 1",
    "\"l'apostrophe\" = 'x'",
]


@pytest.mark.parametrize("source", ROUND_TRIP)
def test_json_round_trip(source):
    expr = parse(source)
    data = to_json(expr)
    assert json.loads(json.dumps(data)) == data
    assert from_json(data) == expr
    assert from_json(json.loads(json.dumps(data))) == expr
    assert to_json(from_json(data)) == data


def test_json_shape():
    assert to_json(parse("${age} = '3' and not(.) or selected(${q}, 'c') or count-selected(${q}) = 3")) == [
        "or",
        [
            "or",
            ["and", ["=", ["ref", "age"], ["str", "3"]], ["not", ["self"]]],
            ["selected", ["ref", "q"], ["str", "c"]],
        ],
        ["=", ["count-selected", ["ref", "q"]], ["num", 3]],
    ]


def test_from_json_accepts_tuples():
    assert from_json(("=", ("ref", "a"), ("num", 1))) == parse("${a} = 1")


@pytest.mark.parametrize(
    "data",
    [
        None,
        "ref",
        [],
        [1],
        ["ref"],
        ["ref", "1a"],
        ["ref", 3],
        ["str", 3],
        ["num", "3"],
        ["num", True],
        ["num", float("inf")],
        ["self", 1],
        ["and", ["ref", "a"]],
        ["=", ["ref", "a"], ["num", 1], ["num", 2]],
        ["==", ["ref", "a"], ["num", 1]],
        ["foo", ["ref", "a"]],
        ["not", "x"],
        ["eval", "1"],
    ],
)
def test_from_json_refuses_malformed_data(data):
    with pytest.raises(ExpressionError):
        from_json(data)


def test_from_json_refuses_deep_data():
    data = ["num", 1]
    for _ in range(MAX_DEPTH + 5):
        data = ["not", data]
    with pytest.raises(ExpressionError):
        from_json(data)


# ------------------------------------------------------------------------------------------------- no eval


def test_no_eval_or_exec_anywhere():
    module = Path(expressions.__file__)
    tree = ast.parse(module.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):  # eval(...), compile(...)
            assert node.func.id not in {"eval", "exec", "compile", "__import__"}, node.func.id
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):  # builtins.eval(...)
            assert node.func.attr not in {"eval", "exec"}, node.func.attr
    script = (ROOT / "app" / "static" / "js" / "conditions.js").read_text(encoding="utf-8")
    assert not re.search(r"\beval\s*\(|\bFunction\s*\(|setTimeout\s*\(\s*['\"]|innerHTML", script)

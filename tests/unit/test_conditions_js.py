"""app/static/js/conditions.js evaluates the trees of app/builder/expressions.py exactly as Python does.

Every case runs in Python and, in a single node process, in JavaScript; a second node process drives
answersFromForm() and apply() on a minimal fake DOM.
"""

import json
import math
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from app.builder.expressions import CALLS, evaluate, from_json, is_true, parse, to_json

SCRIPT = Path(__file__).resolve().parents[2] / "app" / "static" / "js" / "conditions.js"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not on PATH: the JavaScript evaluator cannot be run")

# (expression, answers, expected evaluate() result[, current value]); answers are JSON, as the browser sees them.
CASES = [
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
    ("${x} > 3", {}, False),
    ("${x} < 3", {}, False),
    ("${x} = 0", {}, False),
    ("${x} != 0", {}, True),
    # Numbers and numeric text.
    ("${n} > 10", {"n": 9}, False),
    ("${n} > 10", {"n": 11}, True),
    ("${n} >= 10", {"n": 10}, True),
    ("${n} <= 10", {"n": 10.5}, False),
    ("${n} = 3", {"n": 3.0}, True),
    ("${n} = 0.3", {"n": 0.3}, True),
    ("${n} > -1", {"n": -0.5}, True),
    ("${n} > 10", {"n": "11"}, True),
    ("${n} > 9", {"n": "10"}, True),
    ("${n} > 10", {"n": " 11 "}, True),
    ("${n} > 10", {"n": "\t11\n"}, True),
    ("${n} = 3", {"n": "3.0"}, True),
    ("${n} = 3", {"n": "3."}, True),
    ("${n} = 0.5", {"n": ".5"}, True),
    ("${n} > 10", {"n": "11 ans"}, False),
    ("${n} > 10", {"n": "1e3"}, False),
    ("${n} > 10", {"n": "0x1F"}, False),
    ("${n} > 10", {"n": "Infinity"}, False),
    ("${n} != 10", {"n": "dix"}, True),
    ("${n} = '3'", {"n": 3}, True),
    ("${t} = '3'", {"t": "3.0"}, False),
    ("${a} < ${b}", {"a": "10", "b": "9"}, True),
    ("${a} < ${b}", {"a": 10, "b": 9}, False),
    ("${a} < ${b}", {"a": 10, "b": "9"}, False),
    ("${a} = ${b}", {"a": 2, "b": 2.0}, True),
    # Text, dates as ISO text, yes/no.
    ("${s} = 'oui'", {"s": "oui"}, True),
    ("${s} = 'oui'", {"s": "Oui"}, False),
    ("${s} = 'été'", {"s": "été"}, True),
    ("${s} < 'b'", {"s": "a"}, True),
    ("${s} < 'b'", {"s": ""}, False),
    ("${s} >= ''", {"s": "a"}, False),
    ("${s} <= 'Z'", {"s": "a"}, False),
    ("${d} < '2024-06-01'", {"d": "2024-03-15"}, True),
    ("${d} >= '2024-03-16'", {"d": "2024-03-15"}, False),
    ("${d} < '2024-06-01'", {}, False),
    ("${b} = 'yes'", {"b": "yes"}, True),
    ("${b} = 'yes'", {"b": True}, True),
    ("${b} = 'no'", {"b": False}, True),
    ("${b} != 'yes'", {"b": False}, True),
    # Multiple choice.
    ("${q} = 'a b'", {"q": ["a", "b"]}, True),
    ("${q} = 'a'", {"q": ["a"]}, True),
    ("${q} = 1", {"q": ["1"]}, True),
    ("selected(${q}, 'b')", {"q": ["a", "b"]}, True),
    ("selected(${q}, 'c')", {"q": ["a", "b"]}, False),
    ("selected(${q}, 'b')", {"q": "b"}, True),
    ("selected(${q}, 'b')", {"q": "a b c"}, True),
    ("selected(${q}, 'b')", {"q": "bc"}, False),
    ("selected(${q}, 'b')", {}, False),
    ("selected(${q}, 'b')", {"q": None}, False),
    ("selected(${q}, 'b')", {"q": []}, False),
    ("selected(${q}, '')", {"q": ""}, False),
    ("selected(${q}, 3)", {"q": ["1", "3"]}, True),
    ("selected(${q}, 3)", {"q": 3}, True),
    ("selected(${q}, 3.0)", {"q": ["3"]}, True),
    ("selected(${q}, 'yes')", {"q": True}, True),
    ("selected(${q}, ${r})", {"q": ["a", "b"], "r": "b"}, True),
    ("selected(${q}, 'a')", {"q": [None, 1, True, "a"]}, True),
    ("selected(${q}, 'yes')", {"q": [None, 1, True, "a"]}, True),
    ("selected(${q}, '1')", {"q": [None, 1, True, "a"]}, True),
    ("count-selected(${q})", {"q": ["a", "b", "c"]}, 3),
    ("count-selected(${q})", {}, 0),
    ("count-selected(${q})", {"q": "a"}, 1),
    ("count-selected(${q})", {"q": " a  b "}, 2),
    ("count-selected(${q})", {"q": 42}, 1),
    ("count-selected(${q}) >= 2", {"q": ["a", "b"]}, True),
    ("count-selected(${q}) > 2", {"q": ["a", "b"]}, False),
    # not, and, or, truthiness.
    ("not(${x} = 'a')", {"x": "a"}, False),
    ("not(${x} = 'a')", {}, True),
    ("not(${x})", {}, True),
    ("not(${x})", {"x": ""}, True),
    ("not(${x})", {"x": 0}, True),
    ("not(${x})", {"x": 0.0}, True),
    ("not(${x})", {"x": []}, True),
    ("not(${x})", {"x": False}, True),
    ("not(${x})", {"x": True}, False),
    ("not(${x})", {"x": "0"}, False),
    ("not(${x})", {"x": 7}, False),
    ("not(${x})", {"x": ["a"]}, False),
    ("not(not(${x}))", {"x": "a"}, True),
    ("${a} = 1 and ${b} = 2", {"a": 1, "b": 2}, True),
    ("${a} = 1 and ${b} = 2", {"a": 1, "b": 3}, False),
    ("${a} = 1 or ${b} = 2", {"a": 0, "b": 2}, True),
    ("${a} = 1 or ${b} = 2", {}, False),
    ("${a} or ${b} and ${c}", {"a": "x"}, True),
    ("(${a} or ${b}) and ${c}", {"a": "x"}, False),
    ("${a} and ${b}", {"a": "x", "b": 5}, True),
    ("(${a} = 1) = (${b} = 1)", {"a": 1, "b": 1}, True),
    ("${x}", {"x": "valeur"}, "valeur"),
    ("${x}", {"x": ["a", "b"]}, ["a", "b"]),
    ("${x}", {}, None),
    ("'texte'", {}, "texte"),
    ("-2.5", {}, -2.5),
    # Answers of unexpected types: the comparison is false, nothing raises.
    ("${x} = ''", {"x": {"a": 1}}, False),
    ("${x} != ''", {"x": {"a": 1}}, False),
    ("${x} < 3", {"x": {"a": 1}}, False),
    ("selected(${x}, 'a')", {"x": {"a": 1}}, False),
    ("count-selected(${x})", {"x": {"a": 1}}, 0),
    ("not(${x})", {"x": {"a": 1}}, True),
    ("${constructor} = ''", {}, True),  # no prototype properties in JavaScript
    ("${__proto__} = ''", {}, True),
    # The value being checked by a constraint.
    (". > 3", {}, True, 5),
    (". > 3", {}, False, None),
    (". = ''", {}, True, None),
    (". >= ${min}", {"min": 18}, True, "18"),
    (". != ${autre}", {"autre": "x"}, True, "y"),
    ("selected(., 'a') and count-selected(.) = 2", {}, True, ["a", "b"]),
]

RUNNER = """
const conditions = require(process.argv[1]);
let input = '';
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const results = JSON.parse(input).map(([tree, answers, current]) => {
    const value = conditions.evaluate(tree, answers, current);
    return [value === undefined ? '<undefined>' : value, conditions.isTrue(tree, answers, current)];
  });
  process.stdout.write(JSON.stringify(results));
});
"""


def _node(script: str, payload, *args: str):
    completed = subprocess.run(
        [NODE, "-e", script, str(SCRIPT), *args],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def _case_id(case) -> str:
    return f"{case[0]} | {json.dumps(case[1], ensure_ascii=False)}" + (f" | .={case[3]!r}" if len(case) > 3 else "")


@pytest.fixture(scope="module")
def js_results():
    payload = [[to_json(parse(case[0])), case[1], case[3] if len(case) > 3 else None] for case in CASES]
    results = _node(RUNNER, payload)
    assert len(results) == len(CASES)
    return {_case_id(case): result for case, result in zip(CASES, results, strict=True)}


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_python_and_javascript_agree(case, js_results):
    source, answers, expected, *rest = case
    current = rest[0] if rest else None
    expr = parse(source)
    python_value = evaluate(expr, answers, current=current)
    assert python_value == expected
    assert type(python_value) is type(expected)
    assert is_true(expr, answers, current) is bool(expected)
    js_value, js_true = js_results[_case_id(case)]
    assert js_value == expected
    assert isinstance(js_value, bool) is isinstance(expected, bool)
    assert js_true is bool(expected)


VALUES = [None, "", "a", "b", "a b", "b c", "3", " 3 ", "3.0", "10", "-2", ".5", "2024-03-15", "yes", "no"]
VALUES += [True, False, 0, 3, 3.5, -2, 10, 0.5, [], ["a"], ["a", "b"], ["3"], ["yes", 3], {"odd": 1}]
LITERALS = [["str", v] for v in ["", "a", "b", "3", "10", "a b", "2024-01-01", "yes"]]
LITERALS += [["num", v] for v in [0, 3, 3.0, -2, 10, 0.5]]


def _random_tree(rng: random.Random, depth: int) -> list:
    if depth == 0 or rng.random() < 0.3:
        return rng.choice([["ref", "x"], ["ref", "y"], ["ref", "absent"], ["self"], *LITERALS])
    kind = rng.choice(["=", "!=", "<", "<=", ">", ">=", "and", "or", "not", "selected", "count-selected"])
    arity = 1 if kind in {"not", "count-selected"} else 2
    return [kind, *(_random_tree(rng, depth - 1) for _ in range(arity))]


def test_random_trees_agree():
    rng = random.Random(20240315)
    cases = [
        [_random_tree(rng, 3), {"x": rng.choice(VALUES), "y": rng.choice(VALUES)}, rng.choice(VALUES)]
        for _ in range(3000)
    ]
    js = _node(RUNNER, cases)
    for (tree, answers, current), (js_value, js_true) in zip(cases, js, strict=True):
        expr = from_json(tree)
        value = evaluate(expr, answers, current=current)
        context = f"{tree} {answers} .={current!r}"
        assert value == js_value, context
        assert isinstance(value, bool) is isinstance(js_value, bool), context
        assert is_true(expr, answers, current) is js_true, context


def test_javascript_never_throws():
    script = """
const c = require(process.argv[1]);
const trees = [['nope'], null, 42, ['=', ['ref', 'a']], ['selected'], ['count-selected', null]];
process.stdout.write(JSON.stringify(trees.map((t) => [c.evaluate(t, {a: 1}), c.isTrue(t, null)])));
"""
    assert _node(script, None) == [[False, False]] * 6


# ------------------------------------------------------------------------------------------------ fake DOM

DOM_RUNNER = """
const c = require(process.argv[1]);
const scenarios = JSON.parse(require('fs').readFileSync(0, 'utf8'));

function fakeForm(s) {
  const wrappers = s.wrappers.map(([name, tree, hidden]) => ({
    hidden: hidden,
    attrs: {
      'data-question': name,
      'data-relevant': tree === null || typeof tree === 'string' ? tree : JSON.stringify(tree),
    },
    getAttribute(attr) { return this.attrs[attr] === undefined ? null : this.attrs[attr]; },
  }));
  const elements = s.elements.map((e) => Object.assign({disabled: false, checked: false, value: ''}, e));
  const prior = s.prior === undefined ? null : {textContent: s.prior};
  return {
    wrappers,
    elements,
    ownerDocument: {getElementById: (id) => (id === 'prior-answers' ? prior : null)},
    querySelectorAll: (selector) => (selector === '[data-question]' ? wrappers : []),
  };
}

process.stdout.write(JSON.stringify(scenarios.map((s) => {
  const form = fakeForm(s);
  const answers = c.answersFromForm(form);
  c.apply(form);
  return {answers, hidden: form.wrappers.map((w) => w.hidden)};
})));
"""


def _radio(name, value, checked=False):
    return {"name": f"q_{name}", "type": "radio", "value": value, "checked": checked}


def _checkbox(name, value, checked=False):
    return {"name": f"q_{name}", "type": "checkbox", "value": value, "checked": checked}


def _tree(source):
    return to_json(parse(source))


def _run_dom(scenarios):
    return _node(DOM_RUNNER, scenarios)


def test_answers_from_form():
    scenario = {
        "prior": json.dumps({"region": "abitibi", "age": 40, "langue": "fr"}),
        "elements": [
            {"name": "csrf_token", "type": "hidden", "value": "secret"},
            _radio("langue", "fr"),
            _radio("langue", "en", checked=True),
            _radio("vide", "a"),
            _checkbox("sujets", "eau", checked=True),
            _checkbox("sujets", "air"),
            _checkbox("sujets", "sol", checked=True),
            _checkbox("rien", "x"),
            {"name": "q_texte", "type": "text", "value": "bonjour"},
            {"name": "q_texte_vide", "type": "text", "value": ""},
            {"name": "q_nombre", "type": "number", "value": "12.5"},
            {"name": "q_nombre_vide", "type": "number", "value": ""},
            {"name": "q_date", "type": "date", "value": "2024-03-15"},
            {"name": "q_commentaire", "type": "textarea", "value": "long"},
            {"name": "q_choix", "type": "select-one", "value": "b"},
            {"name": "q_choix_vide", "type": "select-one", "value": ""},
            {
                "name": "q_plusieurs",
                "type": "select-multiple",
                "value": "x",
                "options": [{"value": "x", "selected": True}, {"value": "y"}, {"value": "z", "selected": True}],
            },
            {"name": "q_inactif", "type": "text", "value": "ignored", "disabled": True},
            {"name": "q_grille__ligne1", "type": "radio", "value": "3", "checked": True},
            _checkbox("constructor", "c", checked=True),  # names that exist on Object.prototype
            {"name": "q___proto__", "type": "text", "value": "p"},
            {"type": "submit", "value": "Suivant"},
        ],
        "wrappers": [],
    }
    [result] = _run_dom([scenario])
    assert result["answers"] == {
        "region": "abitibi",  # from earlier pages
        "age": 40,
        "langue": "en",  # the form overrides the earlier value
        "vide": None,
        "sujets": ["eau", "sol"],
        "rien": [],
        "texte": "bonjour",
        "texte_vide": None,
        "nombre": 12.5,
        "nombre_vide": None,
        "date": "2024-03-15",
        "commentaire": "long",
        "choix": "b",
        "choix_vide": None,
        "plusieurs": ["x", "z"],
        "grille__ligne1": "3",
        "constructor": ["c"],
        "__proto__": "p",
    }


def test_apply_hides_and_shows_in_page_order():
    wrappers = [
        ["a", None, False],
        ["b", _tree("${a} = 'yes'"), False],
        ["c", _tree("${b} = 'x'"), False],  # depends on b, hidden when b is hidden even if answered
        ["d", _tree("${region} = 'abitibi' and count-selected(${e}) = 0"), True],
        ["e", "{not json", False],  # unreadable: left visible, the server decides
        ["f", None, True],  # no condition: left alone
    ]
    elements = [_radio("a", "yes"), _radio("a", "no"), {"name": "q_b", "type": "text", "value": "x"}]
    prior = json.dumps({"region": "abitibi"})

    def scenario(a_value):
        return {
            "prior": prior,
            "elements": [dict(e, checked=e.get("value") == a_value) if e["name"] == "q_a" else e for e in elements],
            "wrappers": wrappers,
        }

    shown, hidden, unanswered = _run_dom([scenario("yes"), scenario("no"), scenario(None)])
    assert shown["hidden"] == [False, False, False, False, False, True]
    assert hidden["hidden"] == [False, True, True, False, False, True]
    assert unanswered["hidden"] == [False, True, True, False, False, True]
    # The same decisions in Python, hidden questions counting as unanswered.
    answers = {"region": "abitibi", "a": "no", "b": "x"}
    assert not is_true(parse("${a} = 'yes'"), answers)
    assert not is_true(parse("${b} = 'x'"), {**answers, "b": None})


def test_apply_without_prior_answers_or_with_broken_ones():
    scenarios = [
        {"elements": [], "wrappers": [["a", _tree("${x} = ''"), True]]},
        {"prior": "{broken", "elements": [], "wrappers": [["a", _tree("${x} != ''"), False]]},
    ]
    first, second = _run_dom(scenarios)
    assert first == {"answers": {}, "hidden": [False]}
    assert second == {"answers": {}, "hidden": [True]}


def test_script_is_small_and_plain():
    source = SCRIPT.read_text(encoding="utf-8")
    assert len(source.encode()) < 16000  # about 4 KB gzipped, with the functions of XLSForms (issue 14)
    assert "import " not in source
    assert "export " not in source
    assert "window.ConcertoConditions" in source


# ------------------------------------------------------------------------------ arithmetic and functions (issue 14)

# (expression, answers, expected); NaN and infinities are compared as the texts "NaN", "Infinity", "-Infinity".
FUNCTION_CASES = [
    ("${a} + ${b}", {"a": 2, "b": "3"}, 5.0),
    ("${a} - ${b} * 2", {"a": 10, "b": 3}, 4.0),
    ("(${a} - ${b}) * 2", {"a": 10, "b": 3}, 14.0),
    ("${a} div 4", {"a": 10}, 2.5),
    ("${a} mod 4", {"a": 10}, 2.0),
    ("-${a} mod 4", {"a": 10}, -2.0),
    ("${a} div 0", {"a": 1}, "Infinity"),
    ("${a} div 0", {"a": -1}, "-Infinity"),
    ("0 div 0", {}, "NaN"),
    ("${a} mod 0", {"a": 3}, "NaN"),
    ("${a} + 1", {}, "NaN"),
    ("${a} + 1", {"a": ""}, "NaN"),
    ("${a} + 1", {"a": True}, 2.0),
    ("0.1 + 0.2", {}, 0.30000000000000004),
    ("-(2 + 3)", {}, -5.0),
    ("${a}-${b}", {"a": 5, "b": 2}, 3.0),
    ("${d} - ${e}", {"d": "2024-03-15", "e": "2024-03-01"}, 14.0),
    ("decimal-date-time('1970-01-02T12:00')", {}, 1.5),
    ("date(19797)", {}, "2024-03-15"),
    ("date('2024-03-15T10:00')", {}, "2024-03-15"),
    ("date('2024-02-30')", {}, ""),
    ("format-date('2024-03-05', '%e/%n/%Y %d.%m.%y')", {}, "5/3/2024 05.03.24"),
    ("format-date-time('2024-03-05T07:08:09', '%H:%M:%S')", {}, "07:08:09"),
    ("format-date(${x}, '%Y')", {}, ""),
    ("if(${a} > 1, 'grand', 'petit')", {"a": 2}, "grand"),
    ("if(${a} > 1, 'grand', 'petit')", {}, "petit"),
    ("if(${a}, ${a} * 2, 0)", {"a": 4}, 8.0),
    ("coalesce(${a}, 'rien')", {}, "rien"),
    ("coalesce(${a}, 'rien')", {"a": []}, "rien"),
    ("coalesce(${a}, 'rien')", {"a": 0}, 0),
    ("concat(${p}, ' ', ${n}, ': ', ${a})", {"p": "Ana", "n": "Roy", "a": 3}, "Ana Roy: 3"),
    ("concat(${q}, '|', 1 div 4, '|', 1 = 1)", {"q": ["a", "b"]}, "a b|0.25|true"),
    (
        "concat(0.0000001, ' ', 1 div 3, ' ', 123456789012345680000)",
        {},
        "1e-7 0.3333333333333333 123456789012345680000",
    ),
    ("concat(0.00001, ' ', 1.5 * 1000000000000000000000)", {}, "0.00001 1.5e+21"),
    ("string-length(${s})", {"s": "été 🙂"}, 5.0),
    ("string-length(${s})", {}, 0.0),
    ("count-selected(${q}) + 1", {"q": ["a", "b"]}, 3.0),
    ("number('12.5') + int(-3.7) + floor(2.5) + ceiling(2.1)", {}, 14.5),
    ("round(2.5) + round(-2.5) + round(1.2345, 2)", {}, 2.23),
    ("abs(-3) + pow(2, 10) + sqrt(16)", {}, 1031.0),
    ("sqrt(-1)", {}, "NaN"),
    ("round(15 div sqrt(cos(atan(${s} div 100))), 2)", {"s": 20}, 15.15),
    ("cos(0) + sin(0) + tan(0) + exp(0) + log(1) + log10(1000) + exp10(2)", {}, 105.0),
    ("round(4 * atan(1), 6) = round(pi(), 6) and round(atan2(1, 1) * 4, 6) = round(pi(), 6)", {}, True),
    ("round(asin(1) + acos(1), 4)", {}, 1.5708),
    ("log(0)", {}, "-Infinity"),
    ("log(-1)", {}, "NaN"),
    ("acos(2)", {}, "NaN"),
    ("min(3, ${q}, 2)", {"q": ["1", "5"]}, 1.0),
    ("max(3, ${q})", {"q": ["1", "5"]}, 5.0),
    ("max(3, ${x})", {}, "NaN"),
    ("sum(${q})", {"q": ["1", "5", "0.5"]}, 6.5),
    ("true() and not(false())", {}, True),
    ("boolean(${x}) or boolean-from-string('1')", {}, True),
    ("contains(${s}, 'lo') and starts-with(${s}, 'he') and ends-with(${s}, 'lo')", {"s": "hello"}, True),
    ("substring(${s}, 2, 3)", {"s": "été chaud"}, "té "),
    ("substring(${s}, 1.5)", {"s": "abc"}, "bc"),
    ("substring-before(${s}, '-') + 1", {"s": "12-34"}, 13.0),
    ("substring-after(${s}, '-')", {"s": "12-34"}, "34"),
    ("substring-after(${s}, '')", {"s": "ab"}, "ab"),
    ("normalize-space(${s})", {"s": "  a \t b\n"}, "a b"),
    ("translate(${s}, 'abc', 'AB')", {"s": "aabbcc"}, "AABB"),
    ("regex(${s}, '^[0-9]{3}$')", {"s": "123"}, True),
    ("regex(${s}, '^[0-9]{3}$')", {"s": "1234"}, False),
    ("regex(${s}, '[')", {"s": "a"}, False),
    ("join(', ', ${q})", {"q": ["a", "b"]}, "a, b"),
    ("join('-', ${q}, ${r}, 'c d')", {"q": ["a", "b"], "r": "x"}, "a-b-x-c-d"),
    ("selected-at(${q}, 1)", {"q": ["a", "b"]}, "b"),
    ("selected-at(${q}, 5)", {"q": ["a", "b"]}, ""),
    ("once(${a} * 2)", {"a": 3}, 6.0),
    ("${a} * 2 = 6 and ${a} + 1 > 3", {"a": 3}, True),
]

NORMALIZING_RUNNER = """
const conditions = require(process.argv[1]);
let input = '';
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const norm = (v) => (typeof v === 'number' && !isFinite(v) ? String(v) : v);
  const results = JSON.parse(input).map(([tree, answers, current]) => [
    norm(conditions.evaluate(tree, answers, current)), conditions.isTrue(tree, answers, current),
  ]);
  process.stdout.write(JSON.stringify(results));
});
"""


def _normalized(value):
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    return value


@pytest.fixture(scope="module")
def js_function_results():
    payload = [[to_json(parse(source)), answers, None] for source, answers, _expected in FUNCTION_CASES]
    return _node(NORMALIZING_RUNNER, payload)


@pytest.mark.parametrize("index", range(len(FUNCTION_CASES)), ids=[c[0] for c in FUNCTION_CASES])
def test_functions_agree(index, js_function_results):
    source, answers, expected = FUNCTION_CASES[index]
    expr = parse(source)
    value = _normalized(evaluate(expr, answers))
    assert value == expected
    assert type(value) is type(expected)
    js_value, js_true = js_function_results[index]
    assert js_value == expected
    assert js_true is is_true(expr, answers)


def test_today_and_now_are_iso_texts_in_both():
    today, now = _node(NORMALIZING_RUNNER, [[to_json(parse("today()")), {}, None], [to_json(parse("now()")), {}, None]])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", today[0]) and re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", now[0])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", evaluate(parse("today()"), {}))
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", evaluate(parse("now()"), {}))


CALL_NAMES = ["concat", "string-length", "number", "round", "int", "coalesce", "if", "substring", "max", "contains"]


def _random_arith_tree(rng: random.Random, depth: int) -> list:
    if depth == 0 or rng.random() < 0.3:
        return rng.choice([["ref", "x"], ["ref", "y"], ["ref", "absent"], *LITERALS, ["num", 7], ["num", -0.5]])
    kind = rng.choice(["+", "-", "*", "div", "mod", "neg", "=", "<", "and", "call"])
    if kind == "neg":
        return ["neg", _random_arith_tree(rng, depth - 1)]
    if kind == "call":
        name = rng.choice(CALL_NAMES)
        low, high = CALLS[name]
        count = rng.randint(low, high if high is not None else low + 2)
        return ["call", name, *(_random_arith_tree(rng, depth - 1) for _ in range(count))]
    return [kind, _random_arith_tree(rng, depth - 1), _random_arith_tree(rng, depth - 1)]


def test_random_arithmetic_trees_agree():
    rng = random.Random(14)
    values = [v for v in VALUES if not isinstance(v, dict)]
    cases = [
        [_random_arith_tree(rng, 3), {"x": rng.choice(values), "y": rng.choice(values)}, None] for _ in range(2000)
    ]
    js = _node(NORMALIZING_RUNNER, cases)
    for (tree, answers, _current), (js_value, js_true) in zip(cases, js, strict=True):
        expr = from_json(tree)
        value = _normalized(evaluate(expr, answers))
        context = f"{tree} {answers}"
        if isinstance(value, float) and isinstance(js_value, int | float):
            assert value == pytest.approx(js_value, rel=1e-12, abs=1e-12), context
        else:
            assert value == js_value, context
        assert is_true(expr, answers) is js_true, context


CALC_RUNNER = """
const c = require(process.argv[1]);
const s = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const calc = {value: '', attrs: {'data-calculate': JSON.stringify(s.calculation)},
  getAttribute(a) { return this.attrs[a] === undefined ? null : this.attrs[a]; }};
const wrap = (name, relevant, inner) => ({hidden: false,
  attrs: {'data-question': name, 'data-relevant': relevant ? JSON.stringify(relevant) : null},
  getAttribute(a) { return this.attrs[a] === undefined ? null : this.attrs[a]; },
  querySelector(sel) { return sel === '[data-calculate]' ? inner : null; }});
const wrappers = [
  wrap('a', null, null), wrap('b', null, null), wrap('total', null, calc), wrap('big', s.relevant, null),
];
const span = {textContent: '', getAttribute() { return 'total'; }};
const form = {
  elements: s.elements.map((e) => Object.assign({disabled: false, checked: false}, e)),
  ownerDocument: {getElementById: () => null},
  querySelectorAll: (sel) => (sel === '[data-question]' ? wrappers : sel === '[data-pipe]' ? [span] : []),
};
c.apply(form);
const hidden = wrappers.map((w) => w.hidden);
process.stdout.write(JSON.stringify({value: calc.value, hidden: hidden, pipe: span.textContent}));
"""


def test_computed_values_and_piping_in_the_page():
    """A computed value is evaluated in page order (before the questions after it), hidden, and shown where a label
    pipes it; a question whose condition reads it follows."""
    payload = {
        "calculation": _tree("${a} + ${b}"),
        "relevant": _tree("${total} > 10"),
        "elements": [
            {"name": "q_a", "type": "number", "value": "4"},
            {"name": "q_b", "type": "number", "value": "8"},
            {"name": "q_total", "type": "hidden", "value": ""},
        ],
    }
    result = _node(CALC_RUNNER, payload)
    assert result == {"value": "12", "hidden": [False, False, True, False], "pipe": "12"}
    payload["elements"][1]["value"] = "1"
    assert _node(CALC_RUNNER, payload) == {"value": "5", "hidden": [False, False, True, True], "pipe": "5"}


FILTER_SCRIPT = SCRIPT.with_name("choice-filter.js")
FILTER_RUNNER = """
global.ConcertoChoiceFilter = require(process.argv[2]);
const c = require(process.argv[1]);
const s = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const attrs = (o) => ({getAttribute(a) { return o[a] === undefined ? null : o[a]; }});
// The municipality's options (radios in <li>, or <option>s of a drop-down), each with its choices-sheet columns.
const options = s.options.map(([value, props, checked]) => Object.assign(attrs({'data-choice': JSON.stringify(props)}),
  {value: value, checked: checked, selected: checked, disabled: false, tagName: s.tag, parentNode: {hidden: false},
   name: 'q_municipalite', type: s.tag === 'OPTION' ? 'option' : 'radio'}));
const list = attrs({'data-choice-filter': JSON.stringify(s.filter)});
const wrappers = [
  Object.assign(attrs({'data-question': 'region'}),
    {hidden: false, querySelector: () => null, querySelectorAll: () => []}),
  Object.assign(attrs({'data-question': 'municipalite'}), {hidden: false,
    querySelector: (sel) => (sel === '[data-choice-filter]' ? list : null),
    querySelectorAll: (sel) => (sel === '[data-choice]' ? options : [])}),
];
const form = {
  elements: [{name: 'q_region', type: 'radio', value: s.region, checked: true, disabled: false},
             ...(s.tag === 'OPTION' ? [] : options)],
  ownerDocument: {getElementById: () => null},
  querySelectorAll: (sel) => (sel === '[data-question]' ? wrappers : []),
};
c.apply(form);
process.stdout.write(JSON.stringify(options.map((o) => [o.value, s.tag === 'OPTION' ? !o.hidden : !o.parentNode.hidden,
  o.checked])));
"""


@pytest.mark.parametrize("tag", ["INPUT", "OPTION"])
def test_a_cascade_on_the_same_page_is_filtered_in_the_browser(tag):
    """A field-list page asks the region and the municipality together: the municipality's options follow the
    region as it is chosen (the server checks the same filter when the page is sent); a chosen option that no
    longer fits is unchecked; a code listed under two regions fits either."""
    payload = {
        "tag": tag,
        "region": "estrie",
        "filter": _tree("${__choice.region} = ${region}"),
        "options": [
            ["quebec", {"region": "capitale"}, True],
            ["magog", {"region": "estrie"}, False],
            ["sherbrooke", [{"region": "capitale"}, {"region": "estrie"}], False],
        ],
    }
    assert _node(FILTER_RUNNER, payload, str(FILTER_SCRIPT)) == [
        ["quebec", False, False],
        ["magog", True, False],
        ["sherbrooke", True, False],
    ]
    payload["region"] = "capitale"
    expected = [["quebec", True, True], ["magog", False, False], ["sherbrooke", True, False]]
    assert _node(FILTER_RUNNER, payload, str(FILTER_SCRIPT)) == expected

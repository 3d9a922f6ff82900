"""The SVG bar charts: well-formed, labelled for screen readers, values written, readable in black and white,
and safe with hostile labels."""

import xml.etree.ElementTree as ET

from app.results.charts import LABEL_WIDTH, VALUE_WIDTH, WIDTH, Bar, bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 - our own output


def _bars():
    return [Bar("Garderie", 6, "6 (50 %)"), Bar("Lecture", 3, "3 (25 %)"), Bar("Transport", 0, "0 (0 %)")]


def test_accessible_structure():
    svg = _parse(bar_chart("q1", "Besoins des familles", _bars()))
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "q1-title q1-desc"
    assert svg.find(f"{SVG}title").text == "Besoins des familles"
    assert svg.find(f"{SVG}title").get("id") == "q1-title"
    assert svg.find(f"{SVG}desc").text == "Garderie: 6 (50 %); Lecture: 3 (25 %); Transport: 0 (0 %)"


def test_values_are_written_and_bars_are_proportional():
    svg = _parse(bar_chart("q1", "T", _bars()))
    values = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-value"]
    labels = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-label"]
    assert values == ["6 (50 %)", "3 (25 %)", "0 (0 %)"]
    assert labels == ["Garderie", "Lecture", "Transport"]
    widths = [float(rect.get("width")) for rect in svg.iter(f"{SVG}rect") if rect.get("x") == str(LABEL_WIDTH)]
    area = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    assert widths == [area, area / 2]  # the zero bar draws no rectangle, only its axis line and value


def test_black_and_white_pattern_and_outline():
    svg = _parse(bar_chart("q1", "T", _bars()))
    pattern = svg.find(f"{SVG}defs/{SVG}pattern")
    assert pattern.get("id") == "q1-hatch"
    bars = [rect for rect in svg.iter(f"{SVG}rect") if rect.get("fill") == "url(#q1-hatch)"]
    assert len(bars) == 2
    assert all(rect.get("stroke") == "#000" for rect in bars)


def test_fixed_maximum_and_ids_made_safe():
    svg = _parse(bar_chart('a b"<x>', "T", [Bar("A", 5, "5")], maximum=10))
    assert svg.find(f"{SVG}title").get("id") == "a-b--x--title"
    width = next(float(r.get("width")) for r in svg.iter(f"{SVG}rect") if r.get("stroke") == "#000")
    assert width == (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / 2


def test_hostile_and_long_labels_are_escaped_and_wrapped_never_cut():
    label = '<script>alert("x")</script> & une très longue étiquette qui dépasse'
    markup = str(bar_chart("q", "<b>titre</b>", [Bar(label, 1, "1 <b>"), Bar("Court", 1, "1")]))
    assert "<script>" not in markup and "<b>" not in markup and "…" not in markup
    svg = _parse(markup)
    assert svg.find(f"{SVG}title").text == "<b>titre</b>"
    first = next(t for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-label")
    lines = [span.text for span in first.iter(f"{SVG}tspan")]
    assert len(lines) == 2 and all(len(line) <= 34 for line in lines)
    assert " ".join(lines) == label  # every word, on two lines
    assert label in svg.find(f"{SVG}desc").text  # the full label stays in the description
    # The wrapped row is taller: the next bar starts below its two lines.
    rects = [float(r.get("y")) for r in svg.iter(f"{SVG}rect") if r.get("x") == str(LABEL_WIDTH)]
    assert rects[1] - rects[0] >= 2 * 16


def test_empty_chart_is_still_valid():
    svg = _parse(bar_chart("empty", "Nothing", []))
    assert svg.get("role") == "img"
    assert float(svg.get("viewBox").split()[3]) > 0

"""Pure pieces of issue 15: how names are compared, and redactions that compose."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.text import comparison_key
from app.moderation import pii
from app.moderation.redaction import redact_spans_in


@pytest.mark.parametrize(
    ("first", "second"),
    [("Éducation", " education "), ("Littératie  familiale", "LITTERATIE familiale"), ("l’école", "L'ECOLE")],
)
def test_names_compare_without_case_accents_apostrophes_or_spaces(first, second):
    assert comparison_key(first) == comparison_key(second)


def test_different_names_stay_different():
    assert comparison_key("Garde") != comparison_key("Garderie")


TEXT = "Écrivez à julie.roy@example.org ou au 819-555-1234, à l’école du Rocher."


def _spans():
    return [pii.Span(s.start, s.end, s.kind, s.text) for s in pii.detect(TEXT)]


def test_detected_spans_on_an_untouched_text_are_a_plain_redaction():
    spans = _spans()
    assert {s.kind for s in spans} >= {"email", "phone"}
    assert redact_spans_in(TEXT, TEXT, spans, "fr") == pii.redact(TEXT, spans, language="fr")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(TEXT) - 1), st.integers(1, 12)), max_size=4))
def test_redacting_every_detected_span_never_brings_back_a_redacted_piece(cuts):
    working = TEXT
    for start, length in cuts:  # redactions by hand, by positions in the working text
        start = min(start, len(working) - 1)
        end = min(len(working), start + length)
        if not working[start:end].strip():
            continue
        working = pii.redact_range(working, start, end, kind="other", language="fr")
    result = redact_spans_in(TEXT, working, _spans(), "fr")
    assert "julie.roy@example.org" not in result and "819-555-1234" not in result
    assert "julie" not in result and "555" not in result
    # Only pieces are replaced: what stays visible was visible before, in the same order (nothing comes back).
    assert _is_subsequence(_visible(result), _visible(working))
    # Once more brings nothing back either (a placeholder next to a detected span may be absorbed into its own).
    assert _is_subsequence(_visible(redact_spans_in(TEXT, result, _spans(), "fr")), _visible(result))


def _visible(text: str) -> str:
    for placeholder in pii.PLACEHOLDERS["fr"].values():
        text = text.replace(placeholder, "")
    return text


def _is_subsequence(small: str, big: str) -> bool:
    letters = iter(big)
    return all(char in letters for char in small)

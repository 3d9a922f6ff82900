"""Issue 16: every fixed text a respondent reads is easy to read (LIX at most 40), in French and in English; the
figures are recorded in docs/READABILITY.md (``python -m tests.support.readability`` prints them)."""

import pytest

from tests.support.readability import CONTENT, GROUPS, ROOT, figures, lix, table

ROWS = table()


def test_lix_counts_words_sentences_and_long_words():
    # 7 words, 2 sentences, 2 long words ("questions", "réponses"): 7 / 2 + 100 × 2 / 7 = 32.07.
    assert lix("Lisez les questions. Cochez vos réponses ici.") == pytest.approx(32.07, abs=0.01)
    assert figures(["Commencer", "Page %(number)d de %(total)d"]).sentences == 2


@pytest.mark.parametrize("row", ROWS, ids=[row[0] for row in ROWS])
def test_fixed_respondent_texts_are_easy_to_read(row):
    name, french, english = row
    assert french.words > 0 and english.words > 0, name
    assert french.lix <= 40, (name, french)
    assert english.lix <= 40, (name, english)


def test_the_figures_are_recorded_in_the_docs():
    recorded = (ROOT / "docs" / "READABILITY.md").read_text(encoding="utf-8")
    for name, french, english in ROWS:
        line = (
            f"| {name} | {french.lix:.0f} ({french.words}, {french.sentences}) "
            f"| {english.lix:.0f} ({english.words}, {english.sentences}) |"
        )
        assert line in recorded, f"docs/READABILITY.md is out of date: {line}"
    assert len(ROWS) == len(GROUPS) + len(CONTENT)

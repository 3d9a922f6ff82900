"""Display conditions said in words for a page read without JavaScript (issue 16), here in the catalog's English
(no application: the messages are their msgids; the French ones are checked through the test client)."""

import pytest

from app.builder.expressions import parse
from app.respond.condition_words import answer_only_if
from tests.unit.test_respond_engine import build

SURVEY = build(
    [
        {
            "questions": [
                {"code": "kids", "type": "yes_no", "label_en": "Do you have children?"},
                {"code": "ages", "type": "multiple_choice", "label_en": "Their ages", "choices": ["0-1", "2-3"]},
                {"code": "count", "type": "numeric", "label_en": "How many?"},
                {"code": "why", "type": "long_text", "label_en": "Why?"},
                {"code": "target", "type": "short_text", "label_en": "Tell us more", "required": True},
            ]
        }
    ]
)
TARGET = SURVEY.questions[-1]


def words(source: str) -> str:
    return answer_only_if(SURVEY, TARGET, parse(source), "en")


@pytest.mark.parametrize(
    ("source", "condition"),
    [
        ("${why} != ''", "you answered the previous question"),
        ("${why} = ''", "you did not answer the previous question"),
        ("${kids} = 'yes'", "you answered Yes to the question “Do you have children?”"),
        ("${kids} != 'no'", "you did not answer No to the question “Do you have children?”"),
        ("selected(${ages}, '2-3')", "you chose “2-3” for the question “Their ages”"),
        ("not(selected(${ages}, '0-1'))", "you did not choose “0-1” for the question “Their ages”"),
        ("count-selected(${ages}) > 0", "you chose at least one answer for the question “Their ages”"),
        ("${count} <= 2", "your answer to the question “How many?” is 2 or less"),
        ("${count} >= 2.5", "your answer to the question “How many?” is 2.5 or more"),
        (
            "${kids} = 'yes' and ${count} > 1",
            "you answered Yes to the question “Do you have children?” and "
            "your answer to the question “How many?” is more than 1",
        ),
    ],
)
def test_common_conditions_are_said_in_words(source, condition):
    assert words(source) == f"Answer only if {condition}. An answer is then required."


def test_a_condition_without_plain_words_gets_a_general_sentence():
    assert words("${count} > ${kids}") == (
        "Answer only if it applies to you, given your answers above. An answer is then required."
    )


def test_an_optional_question_does_not_say_an_answer_is_required():
    optional = SURVEY.questions[3]
    assert answer_only_if(SURVEY, optional, parse("${count} = 3"), "en") == (
        "Answer only if your answer to the previous question is 3."
    )

"""A parent answering the demo's parent-needs questionnaire over real HTTP, and the rows it must leave behind
(used by the plain journey and by the journeys under faults)."""

from collections.abc import Callable

from tests.live.conftest import PARENTS_SLUG
from tests.live.harness import Browser

# Page by page, as in tests/integration/test_templates_answered.py: "garde" and "transport_details" are hidden by
# their display conditions (sent anyway, as a browser without JavaScript would: the server drops them).
PAGES = [
    [
        ("q_territoire", "COA"),
        ("q_nb_enfants", "1"),
        ("q_ages", "6-8"),
        ("q_garde", "cpe"),
        ("q_langue", "other"),
        ("q_langue:other", "Innu-aimun"),
    ],
    [("q_aides", "activites"), ("q_aides", "repit"), ("q_satisfaction:bibliotheque", "4"), ("q_soutien", "4")],
    [("q_obstacles", "horaire"), ("q_transport_details", "Pas d’autobus"), ("q_renoncement", "yes")],
    [("q_canaux:texto", "1"), ("q_canaux:ecole", "2"), ("q_plus_utile", "Des activités le samedi matin.")],
]
# (question code, choice code, text) of each Answer row the journey leaves.
EXPECTED = sorted(
    [
        ("territoire", None, None),
        ("nb_enfants", None, None),
        ("ages", "6-8", None),
        ("langue", None, "Innu-aimun"),
        ("aides", "activites", None),
        ("aides", "repit", None),
        ("satisfaction", "4", None),
        ("soutien", None, None),
        ("obstacles", "horaire", None),
        ("renoncement", None, None),
        ("canaux", "texto", None),
        ("canaux", "ecole", None),
        ("plus_utile", None, "Des activités le samedi matin."),
    ],
    key=repr,
)


def answer_parents_survey(browser: Browser, *, between_pages: Callable[[int, Browser], Browser] | None = None):
    """Start the questionnaire at its public link and answer its four pages. ``between_pages(n, browser)`` runs
    after page n (1-3) has been saved and returns the browser that goes on (the same, or another one that came
    back through the resume link)."""
    landing = browser.get(f"/s/{PARENTS_SLUG}")
    assert landing.status_code == 200, landing.text[:500]
    started = browser.press_start()
    assert started.status_code == 200 and "Page 1 de 4" in browser.html, browser.html[:2000]
    for number, answers in enumerate(PAGES, start=1):
        sent = browser.send_page(answers)
        assert sent.status_code == 200, sent.text[:2000]
        if number < len(PAGES):
            assert f"Page {number + 1} de 4" in browser.html, browser.html[:2000]
            if between_pages is not None:
                browser = between_pages(number, browser)
    assert browser.path == f"/s/{PARENTS_SLUG}/thanks" and "Merci" in browser.html, browser.html[:2000]
    return browser


def new_responses(live, since_id: int) -> list:
    return live.db.rows(
        "SELECT r.id, r.status FROM responses r JOIN surveys s ON s.id = r.survey_id "
        "WHERE s.slug = :slug AND r.id > :since ORDER BY r.id",
        slug=PARENTS_SLUG,
        since=since_id,
    )


def last_response_id(live) -> int:
    return live.db.scalar("SELECT coalesce(max(id), 0) FROM responses")


def stored_answers(live, response_id: int) -> list[tuple]:
    rows = live.db.rows(
        "SELECT q.code AS question, c.code AS choice, a.text_value FROM answers a "
        "JOIN questions q ON q.id = a.question_id LEFT JOIN choices c ON c.id = a.choice_id "
        "WHERE a.response_id = :r",
        r=response_id,
    )
    return sorted(((row.question, row.choice, row.text_value) for row in rows), key=repr)


def assert_one_complete_response(live, since_id: int) -> int:
    """Exactly one new response, complete, holding exactly the journey's answers: nothing lost, nothing doubled."""
    responses = new_responses(live, since_id)
    assert [row.status for row in responses] == ["complete"], responses
    assert stored_answers(live, responses[0].id) == EXPECTED
    return responses[0].id

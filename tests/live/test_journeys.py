"""Whole journeys against the real server: a parent who stops and comes back through the resume link, a vote,
signing in and out, the French pages, the health check."""

from tests.live.conftest import FACILITATOR, PARENTS_SLUG, PARTNERS
from tests.live.journeys import answer_parents_survey, assert_one_complete_response, last_response_id


def test_parent_stops_after_page_two_and_comes_back_through_the_resume_link(live):
    since = last_response_id(live)
    first, later = live.browser(), live.browser()
    links = []

    def come_back_later(number, browser):
        if number != 2:
            return browser
        links.append(browser.resume_path)
        assert links[0].startswith("/r/")
        resumed = later.get(links[0])  # another browser, no cookie: only the link
        assert resumed.status_code == 200 and later.path == f"/s/{PARENTS_SLUG}/page/3", later.html[:1000]
        assert "Page 3 de 4" in later.html
        return later

    try:
        answer_parents_survey(first, between_pages=come_back_later)
        assert_one_complete_response(live, since)
        # The link of a finished response no longer opens it.
        assert later.get(links[0]).status_code == 404
    finally:
        first.close()
        later.close()


def test_the_demo_vote_is_counted_and_verifiable(live, facilitator, demo_vote):
    ballot = demo_vote.ballot_id
    assert live.db.scalar("SELECT status FROM ballots WHERE id = :b", b=ballot) == "closed"
    assert live.db.count("ballot_voters", "ballot_id = :b", b=ballot) == 2
    assert live.db.count("ballot_casts", "ballot_id = :b", b=ballot) == 2
    assert live.db.count("ballot_casts", "ballot_id = :b AND pseudonym IS NOT NULL", b=ballot) == 0
    assert all(demo_vote.receipts.values()) and len(set(demo_vote.receipts.values())) == 2

    published = facilitator.post(f"/manage/ballots/{ballot}/publish", token_from=f"/manage/ballots/{ballot}")
    assert published.status_code == 200
    partner = live.browser()
    try:
        partner.sign_in(PARTNERS[0], live.logins[PARTNERS[0]])
        listing = partner.get(f"/ballots/{ballot}/receipts")
        assert "2 bulletins comptés" in listing.text
        assert all(receipt in listing.text for receipt in demo_vote.receipts.values())
        results = partner.get(f"/ballots/{ballot}/results")
        first = demo_vote.options[0][1]
        assert results.status_code == 200 and first in results.text
    finally:
        partner.close()


def test_sign_in_and_sign_out(live):
    browser = live.browser()
    try:
        refused = browser.sign_in(FACILITATOR, "not the password at all")
        assert refused.status_code == 200 and browser.path == "/login"
        assert "Adresse courriel ou mot de passe incorrect" in refused.text
        signed_in = browser.sign_in(FACILITATOR, live.logins[FACILITATOR])
        assert signed_in.status_code == 200 and browser.path != "/login"
        account = browser.get("/account")
        assert account.status_code == 200 and FACILITATOR in account.text
        signed_out = browser.sign_out()
        assert signed_out.status_code == 200
        again = browser.get("/account")
        assert browser.path == "/login" and again.status_code == 200
    finally:
        browser.close()


def test_a_respondent_page_is_served_in_french(live):
    browser = live.browser(language="fr-CA,fr;q=0.9")
    try:
        landing = browser.get(f"/s/{PARENTS_SLUG}")
        assert 'lang="fr-CA"' in landing.text
        assert ">Commencer<" in landing.text and "Vos renseignements personnels" in landing.text
        browser.press_start()
        assert "Page 1 de 4" in browser.html and "Suivant" in browser.html
        # The English version is one button away, and French again the next.
        browser.post("/language", {"locale": "en", "next": f"/s/{PARENTS_SLUG}"})
        assert 'lang="en"' in browser.html and "Your privacy" in browser.html
    finally:
        browser.close()


def test_health_check(live):
    browser = live.browser()
    try:
        health = browser.get("/healthz")
        assert health.status_code == 200
        assert health.json() == {"status": "ok", "database": "ok", "redis": "ok" if live.redis else "not configured"}
    finally:
        browser.close()

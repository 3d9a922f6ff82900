"""Issue 16 through the test client: a question whose display condition depends on the same page says when to answer
it (in words) and is required only when its condition holds on submit; the progress line never grows."""

import re

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.models import Role, Survey, SurveyStatus, VotingMethod
from tests.conftest import csrf_token_from
from tests.integration.moderation_helpers import make_item
from tests.integration.respond_helpers import Respondent
from tests.integration.voting_helpers import create_ballot, post_vote

__all__ = ["create_ballot"]

PAGES = [
    {
        "title_fr": "Transport",
        "questions": [
            {
                "code": "transport",
                "type": "yes_no",
                "required": True,
                "label_fr": "Le transport vous empêche-t-il d’aller aux activités?",
                "label_en": "Does transport keep you from going to activities?",
            },
            {
                "code": "idee",
                "type": "long_text",
                "required": True,
                "label_fr": "Qu’est-ce qui vous aiderait?",
                "label_en": "What would help you?",
                "relevant": "${transport} = 'yes'",
            },
            {
                "code": "ages",
                "type": "multiple_choice",
                "label_fr": "Âges des enfants",
                "choices": [
                    ("0-1", "0 à 1 an", "0 to 1"),
                    ("2-3", "2 à 3 ans", "2 to 3"),
                    ("6-8", "6 à 8 ans", "6 to 8"),
                ],
            },
            {
                "code": "garde",
                "type": "short_text",
                "label_fr": "Service de garde",
                "relevant": "selected(${ages}, '0-1') or selected(${ages}, '2-3')",
            },
            {"code": "nombre", "type": "numeric", "label_fr": "Combien?"},
            {"code": "detail", "type": "short_text", "label_fr": "Détail", "relevant": "${nombre} > 2"},
        ],
    },
    {"title_fr": "Suite", "questions": [{"code": "plus", "type": "yes_no", "label_fr": "Encore?"}]},
    {
        "title_fr": "Seulement si encore",
        "relevant": "${plus} = 'yes'",
        "questions": [{"code": "quoi", "type": "short_text", "label_fr": "Quoi?"}],
    },
]


@pytest.fixture
def survey(create_survey):
    return create_survey(PAGES, slug="transport")


def block(html: str, code: str) -> str:
    return re.search(
        rf'<div class="question" data-question="{code}".*?</div>\s*(?=<div class="question"|<p|</form)', html, re.S
    ).group(0)


def test_a_question_shown_on_condition_says_when_to_answer_it_and_is_not_marked_required(client, survey):
    parent = Respondent(client)
    parent.start("/s/transport")
    html = parent.html
    idee = block(html, "idee")
    assert (
        "Répondez seulement si vous avez répondu Oui à la question précédente. Une réponse est alors obligatoire."
        in idee
    )
    assert "(obligatoire)" not in idee and " required" not in idee
    assert 'aria-describedby="q_idee:when' in idee
    assert "(obligatoire)" in block(html, "transport")  # a question always asked stays marked
    assert "Répondez seulement si vous avez choisi « 0 à 1 an » ou « 2 à 3 ans » à la question précédente." in block(
        html, "garde"
    )
    assert "Répondez seulement si votre réponse à la question précédente est plus grande que 2." in block(
        html, "detail"
    )


def test_the_condition_is_said_in_english_on_an_english_page(client, survey):
    parent = Respondent(client)
    parent.start("/s/transport")
    parent.send(action="language:en")
    assert "Answer only if you answered Yes to the previous question. An answer is then required." in parent.html


def test_required_only_when_its_condition_holds_on_submit(client, survey):
    parent = Respondent(client)
    parent.start("/s/transport")
    parent.send({"q_transport": "no"})  # the condition is false: the empty answer is fine
    assert parent.response.request.path.endswith("/page/2"), parent.html
    parent.send(action="back")
    parent.send({"q_transport": "yes"})  # now it holds: an answer is required
    assert parent.response.status_code == 422 or "Erreur" in parent.html
    assert re.search(r"<title>Erreur :", parent.html)
    assert "Qu’est-ce qui vous aiderait? — Entrez votre réponse." in parent.html


def test_the_progress_line_counts_a_page_whose_condition_is_not_decided_yet(client, survey):
    parent = Respondent(client)
    parent.start("/s/transport")
    assert "Page 1 de 3" in parent.html  # page 3 depends on page 2: not yet decided
    parent.send({"q_transport": "no"})
    assert "Page 2 de 3" in parent.html
    parent.send({"q_plus": "yes"})
    assert "Page 3 de 3" in parent.html
    parent.send(action="back")
    parent.send({"q_plus": "no"})  # page 3 is skipped: the survey ends after page 2
    assert "/thanks" in parent.response.request.path


def test_the_builder_warns_of_a_same_page_condition_and_moves_the_question_to_a_new_page(
    client, auth, create_survey, csrf
):
    auth.login(Role.FACILITATOR)
    survey = create_survey(PAGES, slug="transport-brouillon", status=SurveyStatus.DRAFT)
    page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert page.count('class="notice same-page-condition"') == 3  # idee, garde, detail
    assert "Cette question dépend d’une réponse de la même page (transport)." in page
    idee = survey.question("idee")
    action = f"/surveys/{survey.id}/questions/{idee.id}/new-page"
    assert f'action="{action}"' in page
    response = client.post(action, data={"csrf_token": csrf(f"/surveys/{survey.id}")})
    assert response.status_code == 302
    db.session.expire_all()
    moved = db.session.get(Survey, survey.id)
    assert [[q.code for q in p.questions] for p in moved.pages] == [
        ["transport", "ages", "garde", "nombre", "detail"],
        ["idee"],
        ["plus"],
        ["quoi"],
    ]
    page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert page.count('class="notice same-page-condition"') == 2
    assert "Question déplacée sur une nouvelle page." in page
    # A question that does not read its own page stays where it is.
    response = client.post(
        f"/surveys/{survey.id}/questions/{moved.question('plus').id}/new-page",
        data={"csrf_token": csrf(f"/surveys/{survey.id}")},
        follow_redirects=True,
    )
    assert "Cette question ne dépend d’aucune réponse donnée sur sa propre page." in response.get_data(as_text=True)
    db.session.expire_all()
    assert len(db.session.get(Survey, survey.id).pages) == 4


def test_a_refused_ballot_and_a_recorded_vote_are_announced(client, auth, create_ballot):
    ballot = create_ballot(method=VotingMethod.RANKING)
    a, b, c = (o.id for o in ballot.options)
    auth.login(Role.PARTNER)
    refused = post_vote(client, ballot, {f"rank-{a}": "1", f"rank-{b}": "1", f"rank-{c}": "2"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert re.search(r"<title>Erreur : [^<]+</title>", page)
    summary = re.search(r'<div class="error-summary"[^>]*>', page).group(0)
    assert 'id="error-summary"' in summary and "autofocus" in summary and 'tabindex="-1"' in summary
    assert page.count("autofocus") == 1

    recorded = post_vote(client, ballot, {f"rank-{a}": "1", f"rank-{b}": "2", f"rank-{c}": "3"})
    page = client.get(recorded.headers["Location"]).get_data(as_text=True)
    title = re.search(r"<title>([^<]+)</title>", page).group(1)
    assert title.startswith("Vote enregistré : ")
    receipt = re.search(r'<div class="receipt"[^>]*>', page).group(0)
    assert "autofocus" in receipt and 'tabindex="-1"' in receipt and 'aria-labelledby="receipt-title"' in receipt
    assert page.count("autofocus") == 1
    # Seen again later, the page no longer says so.
    again = client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    assert "Vote enregistré" not in re.search(r"<title>([^<]+)</title>", again).group(1)


# ---------------------------------------------------------------------------------------------- the resume link

RESUME_LINK = re.compile(r'<a href="(http://localhost/r/[^"]+)">')


def _saved(client) -> Respondent:
    parent = Respondent(client)
    parent.start("/s/transport")
    parent.send({"q_transport": "no"}, action="language:en")
    parent.send(action="later")
    assert parent.response.request.path == "/s/transport/saved"
    return parent


def test_the_resume_link_keeps_the_language_chosen(app, client, survey):
    parent = _saved(client)
    link = RESUME_LINK.search(parent.html).group(1)
    other = Respondent(app.test_client())  # another phone, which never chose a language
    other.get(link)
    assert other.response.request.path == "/s/transport/page/1"
    assert '<html lang="en">' in other.html and "Page 1 of 3" in other.html


def test_the_resume_link_is_named_copyable_and_its_characters_are_not_read_aloud(client, survey):
    parent = _saved(client)
    link = RESUME_LINK.search(parent.html).group(1)
    assert f'<a href="{link}">My link to continue</a>' in parent.html
    raw = re.search(r'<p class="raw-link" aria-hidden="true"><code>([^<]+)</code></p>', parent.html)
    assert raw and raw.group(1) == link
    assert re.search(
        rf'<button type="button" class="button copy-link" data-copy="{re.escape(link)}"[^>]* hidden>', parent.html
    )


def test_the_resume_link_is_sent_by_e_mail_and_the_address_is_not_kept(client, survey, mail_outbox):
    parent = _saved(client)
    link = RESUME_LINK.search(parent.html).group(1)
    token = csrf_token_from(parent.html)
    refused = client.post("/s/transport/saved", data={"csrf_token": token, "email": "pas une adresse"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert re.search(r"<title>Error: ", page) and 'value="pas une adresse"' in page
    assert mail_outbox.messages == []

    address = "parent.reprise@example.org"
    sent = client.post("/s/transport/saved", data={"csrf_token": token, "email": address}, follow_redirects=True)
    assert sent.request.path == "/s/transport/saved"
    assert "We sent the link to this address. We do not keep the address." in sent.get_data(as_text=True)
    (message,) = mail_outbox.messages
    assert message["To"] == address and link in message.get_content()
    assert "My link to continue" not in message["Subject"] and "Transport" not in message["Subject"]
    db.session.expire_all()
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(sa.select(table)).all()
        assert address not in repr(rows), table.name


# ------------------------------------------------------------------------------------------- language of parts


def test_an_english_paper_sheet_on_a_french_page_marks_its_language(client, auth, survey):
    auth.login(Role.FACILITATOR)
    page = client.get(f"/surveys/{survey.id}/paper/one-page?locale=en").get_data(as_text=True)
    assert '<html lang="fr-CA">' in page
    assert '<div class="question" data-question="transport" lang="en"' in page
    assert '<span class="required" lang="fr-CA">(obligatoire)</span>' in page  # the interface's words stay French
    assert re.search(r'<p class="hint condition-hint" id="q_idee:when" lang="fr-CA">Répondez seulement si', page)
    french = client.get(f"/surveys/{survey.id}/paper/one-page?locale=fr_CA").get_data(as_text=True)
    assert '<div class="question" data-question="transport">' in french
    assert 'lang="fr-CA"' not in french.split("<main", 1)[1]


def test_english_answers_in_the_french_moderation_queue_mark_their_language(client, auth, create_process):
    process = create_process()
    make_item(process, "Plus de places en garderie.")
    make_item(process, "More daycare spots on weekends.", language="en")
    db.session.commit()
    auth.login(Role.FACILITATOR)
    page = client.get(f"/moderation/items?process={process.id}").get_data(as_text=True)
    assert '<span lang="en">More daycare spots on weekends.</span>' in page
    assert '<td class="item-excerpt">Plus de places en garderie.' in page
    client.post("/language", data={"locale": "en", "csrf_token": csrf_token_from(page), "next": "/"})
    page = client.get(f"/moderation/items?process={process.id}").get_data(as_text=True)
    assert '<span lang="fr-CA">Plus de places en garderie.</span>' in page
    assert '<td class="item-excerpt">More daycare spots on weekends.' in page


def test_each_filtered_view_of_the_moderation_queue_has_its_own_title(client, auth, create_process):
    process = create_process()
    make_item(process, "Plus de places en garderie.")
    auth.login(Role.FACILITATOR)

    def title(query: str) -> str:
        page = client.get(f"/moderation/items{query}").get_data(as_text=True)
        return re.search(r"<title>([^<]+)</title>", page).group(1)

    titles = {
        query: title(query)
        for query in ("", "?state=approved", "?state=pending", f"?process={process.id}", "?flagged=1", "?q=garderie")
    }
    assert titles[""] == "File de modération · Concerto"
    assert titles["?state=approved"] == "File de modération : Approuvé · Concerto"
    assert titles[f"?process={process.id}"] == f"File de modération : {process.title_fr} · Concerto"
    assert titles["?q=garderie"] == "File de modération : contient « garderie » · Concerto"
    assert len(set(titles.values())) == len(titles), titles


def test_the_tables_of_a_results_page_have_distinct_captions(app, client, auth, survey):
    for _n in range(5):  # results show from 5 responses (RESULTS_MIN_COUNT)
        parent = Respondent(app.test_client())
        parent.start("/s/transport")
        parent.send([("q_transport", "no"), ("q_ages", "0-1"), ("q_ages", "6-8"), ("q_nombre", "1")])
        parent.send({"q_plus": "no"})
        assert "/thanks" in parent.response.request.path
    auth.login(Role.FACILITATOR)
    page = client.get(f"/surveys/{survey.id}/results").get_data(as_text=True)
    captions = [
        " ".join(re.sub(r"<[^>]+>", " ", caption).split())
        for caption in re.findall(
            r'<div class="table-scroll">\s*<table[^>]*>\s*<caption[^>]*>(.*?)</caption>', page, re.S
        )
    ]
    assert len(captions) >= 3, captions
    assert len(set(captions)) == len(captions), captions
    assert any(c.startswith("Le transport vous empêche-t-il d’aller aux activités? — ") for c in captions), captions

"""Benchmark of the respondent pages, on a parent-needs-like survey whose 20 questions are all on one page.

    .venv/bin/python -m bench respond

(a) Weight on the wire, as the server sends it to a browser that accepts gzip (Flask-Compress; Brotli, which
    browsers accept over HTTPS, beside it): a first visit (the landing page, the 20-question page and every file
    they use: budget 50 KB for a cheap phone on a weak connection) and a later page (its HTML only: every static
    file is cached under a fingerprinted URL for a year, so nothing is downloaded or revalidated again). Bodies
    only (response headers add about 0.5 KB a request).
(b) Server time: building the page's form, validating a full submission of the 20 questions (display conditions,
    constraints, every type) and rendering the page (engine + form + render, database excluded), beside the
    render of a bare page (the base layout with a paragraph) in the same run; then the whole POST through the
    test client (database included, SQLite in memory) for scale. Median of many runs.
"""

from __future__ import annotations

import gzip
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from werkzeug.datastructures import MultiDict

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.core.extensions import db  # noqa: E402
from app.models import (  # noqa: E402
    Choice,
    ChoiceKind,
    Process,
    ProcessStatus,
    Question,
    QuestionType,
    Survey,
    SurveyPage,
    SurveyStatus,
    Territory,
)

WEIGHT_BUDGET_KB = 50.0
TIME_BUDGET_MS = 10.0  # "a few milliseconds"
RUNS = 200
TERRITORIES = [
    ("COA", "Coaticook"),
    ("GRA", "Le Granit"),
    ("HSF", "Le Haut-Saint-François"),
    ("VSF", "Le Val-Saint-François"),
    ("SOU", "Les Sources"),
    ("MEM", "Memphrémagog"),
    ("SHE", "Sherbrooke"),
    ("HYA", "La Haute-Yamaska"),
    ("BRM", "Brome-Missisquoi"),
]

# (code, type, French label, options, extra fields) — the parent-needs questionnaire, 20 questions on one page.
QUESTIONS = [
    ("intro", "note", "Merci de prendre quelques minutes pour nous parler de votre famille.", [], {}),
    ("territoire", "territory", "Dans quel territoire habitez-vous ?", [], {"required": True}),
    (
        "enfants",
        "numeric",
        "Combien d’enfants de 0 à 8 ans vivent avec vous ?",
        [],
        {"required": True, "settings": {"min": 0, "max": 12}},
    ),
    (
        "ages",
        "multiple_choice",
        "Quel âge ont vos enfants ?",
        ["0 à 2 ans", "3 à 5 ans", "6 à 8 ans"],
        {"relevant": "${enfants} > 0", "required": True},
    ),
    (
        "garde",
        "yes_no",
        "Votre enfant fréquente-t-il un service de garde ?",
        [],
        {"relevant": "selected(${ages}, 'c0')"},
    ),
    (
        "aide",
        "multiple_choice",
        "Qu’est-ce qui vous aiderait ?",
        ["De l’information", "Des services", "Des activités", "Du répit", "Un soutien financier"],
        {"settings": {"other": True, "max_selections": 3}},
    ),
    (
        "obstacles",
        "multiple_choice",
        "Qu’est-ce qui vous empêche d’utiliser les services ?",
        ["L’horaire", "Le transport", "Le coût", "La langue"],
        {"settings": {"other": True}},
    ),
    (
        "canaux",
        "multiple_choice",
        "Comment préférez-vous être informé ?",
        ["Courriel", "Réseaux sociaux", "École", "CLSC", "Bouche-à-oreille"],
        {},
    ),
    (
        "besoins",
        "matrix",
        "Ces services vous seraient-ils utiles ?",
        ["Pas du tout", "Un peu", "Moyennement", "Beaucoup", "Énormément"],
        {
            "rows": [
                "Halte-garderie",
                "Aide aux devoirs",
                "Activités parent-enfant",
                "Soutien psychosocial",
                "Transport",
                "Camps de jour",
            ]
        },
    ),
    (
        "satisfaction",
        "rating",
        "Êtes-vous satisfait des services actuels ?",
        [],
        {"settings": {"scale": 5, "low_label_fr": "Pas du tout", "high_label_fr": "Tout à fait"}},
    ),
    ("importance", "rating", "L’école est-elle un bon lieu d’information ?", [], {"settings": {"scale": 5}}),
    (
        "priorites",
        "ranking",
        "Classez ces priorités",
        ["Places en garderie", "Transport", "Information", "Répit", "Activités"],
        {},
    ),
    (
        "langue",
        "single_choice",
        "Quelle langue parlez-vous le plus souvent à la maison ?",
        ["Français", "Anglais", "Espagnol", "Arabe"],
        {"settings": {"other": True}},
    ),
    (
        "revenu",
        "single_choice",
        "Revenu familial",
        ["Moins de 30 000 $", "30 000 à 59 999 $", "60 000 $ et plus", "Je préfère ne pas répondre"],
        {"settings": {"display": "dropdown"}},
    ),
    ("monoparental", "yes_no", "Êtes-vous seul à vous occuper des enfants ?", [], {}),
    ("naissance", "date", "Date de naissance du plus jeune enfant", [], {"relevant": "${enfants} > 0"}),
    (
        "heures",
        "numeric",
        "Heures de travail par semaine",
        [],
        {
            "settings": {"min": 0, "max": 100, "decimal": True},
            "constraint": ". <= 80",
            "constraint_message_fr": "Au plus 80 heures.",
        },
    ),
    (
        "code_postal",
        "short_text",
        "Les trois premiers caractères de votre code postal",
        [],
        {"settings": {"max_length": 3}},
    ),
    ("plus_utile", "long_text", "Qu’est-ce qui vous aiderait le plus ?", [], {"settings": {"open": True}}),
    ("commentaire", "long_text", "Autres commentaires", [], {"settings": {"open": True, "max_length": 2000}}),
]

SUBMISSION = [
    ("q_territoire", "SHE"),
    ("q_enfants", "2"),
    ("q_ages", "c0"),
    ("q_ages", "c2"),
    ("q_garde", "yes"),
    ("q_aide", "c0"),
    ("q_aide", "other"),
    ("q_aide:other", "Un groupe de parents"),
    ("q_obstacles", "c1"),
    ("q_canaux", "c2"),
    ("q_canaux", "c4"),
    *[(f"q_besoins:r{i}", str(i % 5)) for i in range(6)],
    ("q_satisfaction", "3"),
    ("q_importance", "5"),
    *[(f"q_priorites:c{i}", str(5 - i)) for i in range(5)],
    ("q_langue", "c0"),
    ("q_revenu", "c1"),
    ("q_monoparental", "no"),
    ("q_naissance", "2022-06-15"),
    ("q_heures", "37,5"),
    ("q_code_postal", "J1H"),
    ("q_plus_utile", "Plus de places en halte-garderie le samedi, près de chez nous.\r\nEt du transport."),
    ("q_commentaire", "Merci pour ce questionnaire."),
]


def build_survey() -> Survey:
    territories = [Territory(code=code, name=name) for code, name in TERRITORIES]
    process = Process(
        slug="planification",
        title_fr="Planification",
        title_en="Planning",
        status=ProcessStatus.ACTIVE,
        territories=territories,
    )
    survey = Survey(
        process=process,
        slug="besoins-parents",
        title_fr="Besoins des parents (0-8 ans)",
        title_en="Parents' needs (0-8)",
        status=SurveyStatus.OPEN,
        estimated_minutes=10,
        privacy_fr="Vos réponses servent à planifier les services aux familles de la région.",
    )
    page = SurveyPage(position=0, title_fr="Votre famille et vos besoins")
    survey.pages.append(page)
    for position, (code, kind, label, options, extra) in enumerate(QUESTIONS):
        extra = dict(extra)
        rows = extra.pop("rows", [])
        question = Question(
            survey=survey,
            position=position,
            code=code,
            type=QuestionType(kind),
            label_fr=label,
            label_en=label,
            help_fr="Une réponse par ligne." if kind == "matrix" else "",
            settings=extra.pop("settings", {}),
            **extra,
        )
        for kind_, labels in ((ChoiceKind.OPTION, options), (ChoiceKind.ROW, rows)):
            prefix = "c" if kind_ is ChoiceKind.OPTION else "r"
            for i, text in enumerate(labels):
                question.all_choices.append(Choice(kind=kind_, position=i, code=f"{prefix}{i}", label_fr=text))
        if kind == "matrix":  # the scale's codes are what the submission sends
            for i, choice in enumerate(question.choices):
                choice.code = str(i)
        page.questions.append(question)
    db.session.add(survey)
    db.session.commit()
    return survey


def median_ms(function: Callable[[], object], runs: int = RUNS) -> float:
    function()  # warm up: template compilation, caches
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000


def wire_bytes(client, method: str, url: str, encoding: str, **kwargs) -> tuple[int, bytes, object]:
    """Bytes of body the server sends (redirects included) to a client accepting ``encoding``, the body as text
    (decompressed) and the response."""
    response = getattr(client, method)(url, headers={"Accept-Encoding": encoding}, follow_redirects=True, **kwargs)
    sent = sum(len(r.get_data()) for r in (*response.history, response))
    body = response.get_data()
    if response.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    elif response.headers.get("Content-Encoding") == "br":
        import brotli

        body = brotli.decompress(body)
    return sent, body, response


def run() -> list[dict]:
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://", "RATELIMIT_ENABLED": False})
    rows: list[dict] = []
    with app.app_context():
        db.create_all()
        survey = build_survey()
        slug = survey.slug

        # (a) Weight: start a response like a browser, then fetch the page and the files it uses. The requests run
        # in their own sessions on the in-memory database's one connection: end this one's transaction first.
        db.session.commit()
        for encoding, label in (("gzip, deflate", "gzip"), ("gzip, deflate, br", "br")):
            with app.app_context():  # a fresh ``g`` for each browser (Flask-WTF keeps its CSRF token there)
                client = app.test_client()
                sent, landing, _ = wire_bytes(client, "get", f"/s/{slug}", encoding)
                start_key = re.search(rb'name="start_key" type="hidden" value="([^"]+)"', landing).group(1).decode()
                csrf = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', landing).group(1).decode()
                start = {"csrf_token": csrf, "start_key": start_key}
                started, html, _ = wire_bytes(client, "post", f"/s/{slug}", encoding, data=start)
                assert html.count(b'class="question"') == len(QUESTIONS), "the page does not show the 20 questions"
                assets = dict.fromkeys(
                    m.decode().replace("&amp;", "&")
                    for m in re.findall(rb'(?:href|src)="(/static/[^"]+)"', landing + html)
                )
                files = {
                    url.split("?")[0].rsplit("/", 1)[1]: wire_bytes(client, "get", url, encoding) for url in assets
                }
                assert all(r.cache_control.immutable for _, _, r in files.values()), (
                    "a static file is not cached for good"
                )
                first = sent + started + sum(size for size, _, _ in files.values())
                detail = ", ".join(f"{name} {size / 1024:.1f}" for name, (size, _, _) in files.items())
                rows.append(
                    {
                        "name": f"first visit, {label}: landing {sent / 1024:.1f} + 20-question page "
                        f"{started / 1024:.1f} + files ({detail})",
                        "value": round(first / 1024, 1),
                        "unit": "KB",
                        "target": f"< {WEIGHT_BUDGET_KB:g} KB",
                        "ok": first / 1024 < WEIGHT_BUDGET_KB,
                    }
                )
                again, _, response = wire_bytes(client, "get", f"/s/{slug}/page/1", encoding)
                assert response.status_code == 200
                rows.append(
                    {
                        "name": f"the page again, {label}: HTML only, 0 revalidations",
                        "value": round(again / 1024, 1),
                        "unit": "KB",
                        "target": "reference",
                        "ok": True,
                    }
                )
        rows.append(
            {
                "name": "20-question page, HTML uncompressed",
                "value": round(len(html) / 1024, 1),
                "unit": "KB",
                "target": "reference",
                "ok": True,
            }
        )

        # (b) Server time, database excluded: the survey is loaded once, as a request would have it.
        from flask import render_template

        from app.respond import engine, routes

        territories = list(survey.process.territories)
        page = survey.pages[0]
        seen = engine.visibility(survey, {})
        submission = MultiDict(SUBMISSION)
        holder = {}

        def build_validate_render() -> None:
            form = engine.make_page_form(survey, [page], language="fr", territories=territories)(formdata=submission)
            if not form.validate(prior={}):
                raise AssertionError(
                    f"the benchmark submission is refused: {[(f.code, f.errors) for f in form.failing]}"
                )
            holder["page"] = routes._render_page(survey, page, {}, seen, mode="web", form=form, key="k" * 22)

        def bare_render() -> None:
            render_template("respond/unavailable.html", title="Titre", message="Un paragraphe.", survey=None)

        with app.test_request_context(f"/s/{slug}/page/1", method="POST"):
            engine_ms = median_ms(build_validate_render)
            bare_ms = median_ms(bare_render)
        rows.append(
            {
                "name": "20-question page: form + validation + render",
                "value": round(engine_ms, 2),
                "unit": "ms",
                "target": f"< {TIME_BUDGET_MS:g} ms",
                "ok": engine_ms < TIME_BUDGET_MS,
            }
        )
        rows.append(
            {
                "name": "bare page render (base layout), same run",
                "value": round(bare_ms, 2),
                "unit": "ms",
                "target": "reference",
                "ok": True,
            }
        )

        # The whole POST through the test client, database included: each run a new page view (a new key), so
        # each one replaces the page's answers ("save and continue later").
        from app.respond.tokens import new_key

        db.session.commit()  # as in (a): the requests run in their own session, on the same connection
        with app.app_context():  # and with a fresh ``g`` (the render above left a CSRF token of its own there)
            page_html = client.get(f"/s/{slug}/page/1").get_data(as_text=True)

            def full_post() -> None:
                key = new_key()
                token = re.search(r'name="csrf_token" value="([^"]+)"', page_html).group(1)
                data = MultiDict([("csrf_token", token), ("submission_key", key), ("action", "later"), *SUBMISSION])
                response = client.post(f"/s/{slug}/page/1", data=data)
                assert response.status_code == 302, response.status_code

            post_ms = median_ms(full_post, runs=50)
        rows.append(
            {
                "name": "whole POST of the page (test client, SQLite in memory)",
                "value": round(post_ms, 2),
                "unit": "ms",
                "target": "reference",
                "ok": True,
            }
        )
        db.session.remove()
        db.drop_all()
    return rows


def main() -> int:
    rows = run()
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        print(
            f"{r['name']:<{width}}  {r['value']:>8} {r['unit']:<3} target {r['target']:<10} {'ok' if r['ok'] else 'NO'}"
        )
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

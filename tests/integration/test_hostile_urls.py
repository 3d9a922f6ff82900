"""Hostile addresses: NUL characters in URL paths and upload file names, and numbers too large for any id (int
converters, ``?page=`` and every integer query argument) are answered with a page that says why, never a 500, on
SQLite and PostgreSQL. Walks every GET rule of the URL map, like the authorization matrix."""

import io
import re
from urllib.parse import quote

import pytest
from werkzeug.routing import IntegerConverter

from app.core.extensions import db
from app.models import BallotStatus, PaperImport, Role, Survey
from tests.conftest import count_rows, csrf_token_from
from tests.integration.test_authorization import sample_arguments
from tests.integration.voting_helpers import make_ballot

__all__ = ["sample_arguments"]

HUGE = "99999999999999999999999"
NUL_MESSAGE = "caractère NUL invisible"
# Every integer the app reads from a query string (request.args, db.paginate, the results and moderation filters,
# the export and search forms), and their neighbours: each is sent as a huge number to every GET route.
QUERY_ARGS = (
    "page",
    "per_page",
    "process",
    "survey",
    "question",
    "theme",
    "territory",
    "segment",
    "row",
    "col",
    "from",
    "to",
    "scale",
    "item",
    "ballot",
    "user",
    "organization",
    "response",
    "orientation",
    "version",
    "date_from",
    "date_to",
)


PLACEHOLDER = re.compile(r"<(?:([^<>:]+):)?([^<>:]+)>")


def _rules(app):
    return sorted((r for r in app.url_map.iter_rules()), key=lambda r: (r.rule, r.endpoint))


def _cases(kind: str):
    """(rule, endpoint, method) of the rules with a text part (``text``), an int part (``int``), or every GET."""
    from app import create_app

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    for rule in _rules(app):
        numbers = [isinstance(c, IntegerConverter) for c in rule._converters.values()]
        wanted = {
            "int": any(numbers),
            "text": not all(numbers) and "GET" in rule.methods,
            "get": "GET" in rule.methods and rule.endpoint != "static",
        }[kind]
        if not wanted:
            continue
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"}) if kind == "int" else ["GET"]
        for method in methods:
            yield pytest.param(rule.rule, rule.endpoint, method, id=f"{method} {rule.rule} ({rule.endpoint})")


def _url(rule: str, arguments: dict, *, text: str | None = None, number: str | None = None) -> str:
    """The rule's path with the sample arguments, or ``text`` in every text part, ``number`` in every int part."""

    def fill(match: re.Match) -> str:
        converter, name = match.group(1) or "default", match.group(2)
        if converter.startswith("int") and number is not None:
            return number
        if not converter.startswith("int") and text is not None:
            return text
        return quote(str(arguments.get(name, "x")))

    return PLACEHOLDER.sub(fill, rule)


# ---------------------------------------------------------------------------------------------------- NUL


@pytest.mark.parametrize(("rule", "endpoint", "method"), list(_cases("text")))
def test_nul_in_any_text_part_of_a_path_is_refused_with_a_message(client, auth, rule, endpoint, method):
    auth.login(Role.ADMIN)
    url = _url(rule, {}, text="a%00b")
    response = client.get(url)
    db.session.rollback()
    assert response.status_code == 400, url
    assert NUL_MESSAGE in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url", ["/s/%00", "/p/%00", "/r/%00", "/i/%00", "/p/%00/vous-avez-dit", "/%00", "/s/a%00/page/1"]
)
def test_nul_in_public_paths_is_refused_with_a_message(client, url):
    response = client.get(url)
    assert response.status_code == 400 and NUL_MESSAGE in response.get_data(as_text=True)


def test_nul_in_an_upload_file_name_is_refused_with_a_message(client, auth, create_process):
    process = create_process()
    auth.login(Role.FACILITATOR)
    token = csrf_token_from(client.get("/surveys/import").get_data(as_text=True))
    data = {"process_id": str(process.id), "csrf_token": token, "file": (io.BytesIO(b"{}"), "form\x00.json")}
    response = client.post("/surveys/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 400 and NUL_MESSAGE in response.get_data(as_text=True)
    assert count_rows(Survey) == 0


def test_nul_in_a_paper_ballot_file_name_is_refused_with_a_message(client, auth, create_process):
    ballot = make_ballot(create_process(), status=BallotStatus.CLOSED)
    auth.login(Role.FACILITATOR)
    url = f"/manage/ballots/{ballot.id}/paper"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    data = {"csrf_token": token, "file": (io.BytesIO(b"a,b\n1,0\n"), "assemblee\x00.csv")}
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 400 and NUL_MESSAGE in response.get_data(as_text=True)
    assert count_rows(PaperImport) == 0


# ----------------------------------------------------------------------------------------------- huge numbers


@pytest.mark.parametrize(("rule", "endpoint", "method"), list(_cases("int")))
def test_huge_ids_in_paths_are_not_found(client, auth, create_survey, rule, endpoint, method):
    create_survey(slug="x")  # the text parts of the address name an open survey, so only the numbers are wrong
    auth.login(Role.ADMIN)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    url = _url(rule, {}, number=HUGE)
    response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
    db.session.rollback()
    # No rule matches: 404, or 405 when Werkzeug's matcher found the GET twin of a POST rule first.
    assert response.status_code in (404, 405), url


def test_huge_numbers_in_query_arguments_never_break_a_page(client, auth, sample_arguments):
    """Every GET route of the URL map (one test, so the sample objects are made once), as an administrator."""
    auth.login(Role.ADMIN)
    query = "&".join(f"{name}={HUGE}" for name in QUERY_ARGS)
    broken = []
    for case in _cases("get"):
        rule = case.values[0]
        url = f"{_url(rule, sample_arguments)}?{query}"
        response = client.get(url)
        db.session.rollback()
        if response.status_code >= 500:
            broken.append((url, response.status_code))
    assert broken == []


@pytest.mark.parametrize(
    "url",
    [
        f"/admin/users?page={HUGE}",
        f"/admin/audit?page={HUGE}",
        f"/moderation/items?page={HUGE}&process={HUGE}&survey={HUGE}&theme={HUGE}&territory={HUGE}",
        f"/surveys?process={HUGE}",
        "/surveys?process=-1",
        f"/surveys/new?process={HUGE}",
        f"/surveys/import?process={HUGE}",
    ],
)
def test_listing_pages_with_huge_numbers_are_shown(client, auth, url):
    auth.login(Role.ADMIN)
    assert client.get(url).status_code == 200

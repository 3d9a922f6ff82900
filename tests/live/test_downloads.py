"""Every download a facilitator or a partner can make (the file routes of the URL map), fetched from the real
server to the last byte, parsed, and checked against the database it was made from."""

import csv
import io
import json
import struct
import xml.etree.ElementTree as ET
from collections import Counter

import openpyxl
import pytest

from app.exports.export import METADATA
from tests.live.conftest import DEMO_SLUGS, PARENTS_SLUG, RESPONSES

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")  # openpyxl's read-only zip handle

ANSWERABLE = "q.type NOT IN ('note', 'email')"


def response_ids(live, survey_id: int) -> list[int]:
    return [row.id for row in live.db.rows("SELECT id FROM responses WHERE survey_id = :s ORDER BY id", s=survey_id)]


def territory_answers(live, survey_id: int, column: str = "code") -> Counter:
    rows = live.db.rows(
        f"SELECT t.{column} AS value, count(*) AS n FROM answers a JOIN questions q ON q.id = a.question_id "  # noqa: S608
        "JOIN territories t ON t.id = a.territory_id WHERE q.survey_id = :s AND q.code = 'territoire' "
        f"GROUP BY t.{column}",
        s=survey_id,
    )
    return Counter({row.value: row.n for row in rows})


def chosen(live, survey_id: int, question: str, choice: str) -> int:
    """Responses that chose ``choice`` at the multiple-choice ``question``."""
    return live.db.scalar(
        "SELECT count(DISTINCT a.response_id) FROM answers a JOIN questions q ON q.id = a.question_id "
        "JOIN choices c ON c.id = a.choice_id WHERE q.survey_id = :s AND q.code = :q AND c.code = :c",
        s=survey_id,
        q=question,
        c=choice,
    )


def attachment(response, content_type: str) -> None:
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith(content_type)
    assert response.headers["content-disposition"].startswith("attachment")


def parse_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark (Excel reads the accents)"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("labels", ["0", "1"])
def test_csv_export_holds_every_response(live, facilitator, labels):
    survey_id = live.survey_id(PARENTS_SLUG)
    response = facilitator.get(f"/surveys/{survey_id}/export.csv?labels={labels}")
    attachment(response, "text/csv")
    header, *rows = parse_csv(response.content)
    assert len(rows) >= RESPONSES
    assert [int(row[0]) for row in rows] == response_ids(live, survey_id)
    assert {len(row) for row in rows} == {len(header)}
    if labels == "0":
        assert header[:6] == ["response_id", "status", "channel", "locale", "started_at", "submitted_at"]
        territories = Counter(row[header.index("territoire")] for row in rows if row[header.index("territoire")])
        assert territories == territory_answers(live, survey_id)
        column = header.index("ages/0-1")
        assert sum(row[column] == "1" for row in rows) == chosen(live, survey_id, "ages", "0-1")
    else:
        first = len(METADATA)  # the territory question comes first, after the metadata columns
        names = Counter(row[first] for row in rows if row[first])
        assert names == territory_answers(live, survey_id, "name")


@pytest.mark.parametrize(("labels", "lang"), [("0", "fr"), ("1", "en")])
def test_json_export_holds_every_response(live, facilitator, labels, lang):
    survey_id = live.survey_id(PARENTS_SLUG)
    response = facilitator.get(f"/surveys/{survey_id}/export.json?labels={labels}&lang={lang}")
    attachment(response, "application/json")
    document = json.loads(response.content)
    assert [item["response_id"] for item in document] == response_ids(live, survey_id)
    field = "code" if labels == "0" else "name"
    territories = Counter(item["answers"]["territoire"] for item in document if "territoire" in item["answers"])
    assert territories == territory_answers(live, survey_id, field)


@pytest.mark.parametrize(("labels", "lang", "sheet"), [("0", "fr", "réponses"), ("1", "en", "responses")])
def test_xlsx_export_holds_every_response(live, facilitator, labels, lang, sheet):
    survey_id = live.survey_id(PARENTS_SLUG)
    response = facilitator.get(f"/surveys/{survey_id}/export.xlsx?labels={labels}&lang={lang}")
    attachment(response, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert int(response.headers["content-length"]) == len(response.content)
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    try:
        assert workbook.sheetnames == [sheet, "codebook"]
        _header, *rows = workbook[sheet].iter_rows(values_only=True)
        assert [int(row[0]) for row in rows] == response_ids(live, survey_id)
        field = "code" if labels == "0" else "name"
        first = len(METADATA)
        assert Counter(row[first] for row in rows if row[first]) == territory_answers(live, survey_id, field)
    finally:
        workbook.close()


def test_exports_of_every_demo_survey_have_its_row_count(live, facilitator):
    for slug in DEMO_SLUGS:
        survey_id = live.survey_id(slug)
        response = facilitator.get(f"/surveys/{survey_id}/export.csv")
        attachment(response, "text/csv")
        assert len(parse_csv(response.content)) - 1 == live.db.count("responses", "survey_id = :s", s=survey_id)


def test_codebook_lists_every_question_and_value(live, facilitator):
    survey_id = live.survey_id(PARENTS_SLUG)
    response = facilitator.get(f"/surveys/{survey_id}/codebook.csv")
    attachment(response, "text/csv")
    header, *rows = parse_csv(response.content)
    assert header[:2] == ["question_code", "question_type"]
    questions = [
        row.code
        for row in live.db.rows(
            f"SELECT q.code FROM questions q JOIN survey_pages p ON p.id = q.page_id WHERE q.survey_id = :s "  # noqa: S608
            f"AND {ANSWERABLE} ORDER BY p.position, q.position",
            s=survey_id,
        )
    ]
    assert [row[0] for row in rows if row[4] == ""] == questions
    for kind in ("option", "row"):
        expected = {
            (row.question, row.code)
            for row in live.db.rows(
                "SELECT q.code AS question, c.code FROM choices c JOIN questions q ON q.id = c.question_id "
                "WHERE q.survey_id = :s AND c.kind = :kind AND q.type <> 'yes_no'",
                s=survey_id,
                kind=kind,
            )
        }
        listed = {(row[0], row[5]) for row in rows if row[4] == kind and row[1] != "yes_no"}
        assert listed == expected
    territories = live.db.count("territories")
    assert sum(row[4] == "territory" for row in rows) == territories


def test_survey_definition_download_lists_every_question(live, facilitator):
    survey_id = live.survey_id(PARENTS_SLUG)
    response = facilitator.get(f"/surveys/{survey_id}/definition.json")
    attachment(response, "application/json")
    document = json.loads(response.content)
    codes = [q["code"] for page in document["pages"] for q in page["questions"]]
    assert len(codes) == live.db.count("questions", "survey_id = :s", s=survey_id)


def test_survey_xlsform_download_converts_with_pyxform(live, facilitator, tmp_path):
    import warnings

    from pyxform.xls2xform import convert

    survey_id = live.survey_id(PARENTS_SLUG)
    response = facilitator.get(f"/surveys/{survey_id}/definition.xlsx")
    attachment(response, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    path = tmp_path / "form.xlsx"
    path.write_bytes(response.content)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        xform = convert(xlsform=str(path), validate=False).xform
    codes = [row.code for row in live.db.rows("SELECT code FROM questions WHERE survey_id = :s", s=survey_id)]
    assert codes and all(f"<{code}" in xform for code in codes)
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["survey", "choices", "settings"]


def test_invitation_links_download(live, facilitator):
    survey_id = live.survey_id("employeurs-etudes-travail")
    before = live.db.count("invitations", "survey_id = :s", s=survey_id)
    response = facilitator.post(
        f"/surveys/{survey_id}/invitations",
        {"count": "3", "territory": "", "group": "atelier-live", "emails": "", "output": "csv"},
        token_from=f"/surveys/{survey_id}/distribute",
    )
    attachment(response, "text/csv")
    _header, *rows = parse_csv(response.content)
    assert len(rows) == 3 == live.db.count("invitations", "survey_id = :s", s=survey_id) - before
    visitor = live.browser()
    try:
        landing = visitor.get(rows[0][0].replace(live.url, ""))
        assert landing.status_code == 200 and "Commencer" in landing.text
    finally:
        visitor.close()


def test_ballot_exports_hold_every_cast_and_option(live, facilitator, demo_vote):
    ballots = facilitator.get(f"/manage/ballots/{demo_vote.ballot_id}/export/ballots.csv")
    attachment(ballots, "text/csv")
    header, *rows = parse_csv(ballots.content)
    assert header == [label for _id, label in demo_vote.options]
    assert len(rows) == live.db.count("ballot_casts", "ballot_id = :b", b=demo_vote.ballot_id) == 2
    assert sorted(tuple(row) for row in rows) == sorted([("2", "3", "1", ""), ("1", "", "2", "")])

    results = facilitator.get(f"/manage/ballots/{demo_vote.ballot_id}/export/results.csv")
    attachment(results, "text/csv")
    header, *rows = parse_csv(results.content)
    assert header[:2] == ["Rang", "Option"]
    assert sorted(row[1] for row in rows) == sorted(label for _id, label in demo_vote.options)
    assert {row[-2] for row in rows} == {"2"}  # ballots counted


def test_qr_codes(live, facilitator):
    survey_id = live.survey_id(PARENTS_SLUG)
    png = facilitator.get(f"/surveys/{survey_id}/qr.png?download=1")
    attachment(png, "image/png")
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n" and png.content[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png.content[16:24])
    assert width == height > 100
    assert png.content.endswith(b"IEND\xaeB`\x82")

    svg = facilitator.get(f"/surveys/{survey_id}/qr.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(svg.content)  # noqa: S314 - our own server's answer
    assert root.tag.endswith("svg")
    title = live.db.scalar("SELECT title_fr FROM surveys WHERE id = :s", s=survey_id)
    assert root.find("{http://www.w3.org/2000/svg}title").text == title


def test_flyer_and_printable_questionnaire(live, facilitator):
    survey_id = live.survey_id(PARENTS_SLUG)
    flyer = facilitator.get(f"/surveys/{survey_id}/flyer")
    assert flyer.status_code == 200 and flyer.headers["content-type"].startswith("text/html")
    assert f"/s/{PARENTS_SLUG}" in flyer.text and 'lang="fr-CA"' in flyer.text

    printed = facilitator.get(f"/surveys/{survey_id}/print")
    assert printed.status_code == 200
    labels = [
        row.label_fr
        for row in live.db.rows(
            f"SELECT label_fr FROM questions q WHERE survey_id = :s AND {ANSWERABLE}",  # noqa: S608
            s=survey_id,
        )
    ]
    page = printed.text.replace("&#39;", "'").replace("&#x27;", "'").replace("&amp;", "&")
    assert [label for label in labels if label not in page] == []


def test_consultation_report(live, facilitator):
    report = facilitator.get(f"/processes/{live.process_id()}/report")
    assert report.status_code == 200
    for slug in DEMO_SLUGS:
        survey_id = live.survey_id(slug)
        complete = live.db.count("responses", "survey_id = :s AND status = 'complete'", s=survey_id)
        title = live.db.scalar("SELECT title_fr FROM surveys WHERE id = :s", s=survey_id)
        section = report.text.split(f'id="survey-{survey_id}-title">', 1)[1]
        assert section.startswith(title.replace("'", "&#39;"))
        assert f"Selon {complete} réponses complètes." in section.split("</section>", 1)[0]


def test_my_data_download(live, facilitator):
    response = facilitator.get("/account/data")
    attachment(response, "application/json")
    assert "animation@demo.concerto.quebec" in response.text
    json.loads(response.content)


def test_matrix_of_commitments(live, facilitator):
    """The follow-up's matrix (organizations × adopted priorities) from the real server: one row per organization,
    one column per adopted priority, each organization's approved commitments where the database has them."""
    process_id = live.process_id()
    response = facilitator.get(f"/followup/processes/{process_id}/matrix.xlsx")
    attachment(response, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    try:
        header, *rows = workbook.active.iter_rows(values_only=True)
    finally:
        workbook.close()
    priorities = live.db.rows(
        "SELECT title_fr FROM orientations WHERE process_id = :p AND state = 'adopted' ORDER BY id", p=process_id
    )
    assert list(header[1:]) == [row.title_fr for row in priorities]
    organizations = rows[:-1]
    assert len(organizations) == live.db.count("organizations")
    committed = live.db.scalar(
        "SELECT count(DISTINCT organization_id) FROM commitments WHERE process_id = :p", p=process_id
    )
    assert sum(1 for row in organizations if any(row[1:])) == committed

"""What a respondent's phone downloads: compressed pages, and static files cached for good under fingerprinted URLs.

A static URL carries a fingerprint of the file's content (``?v=<hash>``) and is cached for a year without
revalidation (``immutable``); a new version of the file gets a new URL. HTML, CSS, JavaScript and SVG are
compressed when the client accepts it. Sizes are bytes of body on the wire, as the test client receives them.
"""

import gzip
import re

import pytest

from tests.integration.respond_helpers import Respondent
from tests.integration.test_respond import PARENT_PAGES

ONE_YEAR = 31_536_000
STATIC_URL = re.compile(r'(?:href|src)="(/static/[^"]+)"')
FINGERPRINTED = re.compile(r"^/static/[\w./-]+\?v=[0-9a-f]{12}$")
GZIP = {"Accept-Encoding": "gzip, deflate"}

FIRST_VISIT_BUDGET = 15 * 1024
NEXT_PAGE_BUDGET = 4 * 1024


@pytest.fixture
def parent_survey(create_survey, create_process, create_territory):
    territories = [create_territory("Sherbrooke", "SHE"), create_territory("Coaticook", "COA")]
    return create_survey(
        PARENT_PAGES,
        process=create_process(territories=territories),
        slug="besoins-parents",
        title_fr="Besoins des parents",
        title_en="Parents' needs",
        estimated_minutes=10,
        privacy_fr="Les réponses servent à planifier les services.",
    )


class WireClient:
    """The test client as a browser that accepts gzip: records the bytes of each response body on the wire
    (redirects included), then hands over the response decompressed."""

    def __init__(self, client) -> None:
        self.client = client
        self.wire: list[int] = []

    def get(self, *args, **kwargs):
        return self._received(self.client.get(*args, headers=GZIP, **kwargs))

    def post(self, *args, **kwargs):
        return self._received(self.client.post(*args, headers=GZIP, **kwargs))

    def _received(self, response):
        self.wire.append(sum(len(r.get_data()) for r in (*response.history, response)))
        if response.headers.get("Content-Encoding") == "gzip":
            response.set_data(gzip.decompress(response.get_data()))
            del response.headers["Content-Encoding"]
        return response


def static_urls(html: str) -> list[str]:
    return list(dict.fromkeys(url.replace("&amp;", "&") for url in STATIC_URL.findall(html)))


def test_pages_are_compressed_when_the_browser_accepts_it(client, parent_survey):
    response = client.get("/s/besoins-parents", headers=GZIP)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert int(response.headers["Content-Length"]) == len(response.get_data())
    assert "Besoins des parents" in gzip.decompress(response.get_data()).decode()

    plain = client.get("/s/besoins-parents")
    assert "Content-Encoding" not in plain.headers
    assert "Besoins des parents" in plain.get_data(as_text=True)


def test_static_files_are_compressed_and_cached_for_a_year_under_their_fingerprint(client, parent_survey):
    page = client.get("/s/besoins-parents").get_data(as_text=True)
    urls = static_urls(page)
    assert any(url.startswith("/static/css/concerto.css?v=") for url in urls)
    for url in urls:
        assert FINGERPRINTED.match(url), url
        response = client.get(url, headers=GZIP)
        assert response.status_code == 200, url
        cache = response.cache_control
        assert cache.max_age == ONE_YEAR and cache.public and cache.immutable, (url, response.headers)
        assert not cache.no_cache, url
        body = response.get_data()
        if response.headers.get("Content-Encoding") == "gzip":
            assert len(gzip.decompress(body)) > len(body), url
        else:
            assert len(body) < 500, url  # too small to gain anything (the favicon)
        response.close()
    for url in urls:
        if url.startswith(("/static/css/", "/static/js/")):
            assert client.get(url, headers=GZIP).headers["Content-Encoding"] == "gzip", url


def test_a_static_url_without_its_current_fingerprint_is_revalidated(client, parent_survey):
    for url in ("/static/css/concerto.css", "/static/css/concerto.css?v=000000000000"):
        response = client.get(url)
        response.close()
        assert response.status_code == 200
        assert not response.cache_control.immutable, url
        assert response.cache_control.max_age in (None, 0), url


def test_the_fingerprint_changes_when_the_file_changes(app, client, tmp_path, monkeypatch):
    (tmp_path / "css").mkdir()
    stylesheet = tmp_path / "css" / "concerto.css"
    stylesheet.write_text("body { color: black; }\n", encoding="utf-8")
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    with app.test_request_context():
        from flask import url_for

        first = url_for("static", filename="css/concerto.css")
        assert url_for("static", filename="css/concerto.css") == first
        stylesheet.write_text("body { color: navy; background: white; }\n", encoding="utf-8")
        second = url_for("static", filename="css/concerto.css")
    assert FINGERPRINTED.match(first) and FINGERPRINTED.match(second)
    assert first != second
    assert client.get(second).cache_control.immutable
    assert b"navy" in client.get(second).get_data()
    assert not client.get(first).cache_control.immutable  # an old page asking for the old version: revalidated


def test_respondent_page_weight_on_the_wire(client, parent_survey):
    """First visit (landing page, then the first questionnaire page, with every file they use) ≤ 15 KB; the next
    page ≤ 4 KB of HTML, and every file it uses is already cached without revalidation (fingerprinted, immutable)."""
    browser = WireClient(client)
    parent = Respondent(browser)
    parent.get("/s/besoins-parents")
    assets = static_urls(parent.html)
    parent.press_start()
    assert "Page 1 de 3" in parent.html
    assets += [url for url in static_urls(parent.html) if url not in assets]
    asset_bytes = 0
    for url in assets:
        response = client.get(url, headers=GZIP)
        assert response.status_code == 200, url
        asset_bytes += len(response.get_data())
    first_visit = sum(browser.wire) + asset_bytes
    assert first_visit <= FIRST_VISIT_BUDGET, (first_visit, browser.wire, asset_bytes)

    parent.send([("q_enfants", "2"), ("q_ages", "0-2"), ("q_territoire", "SHE")])
    assert "Page 2 de 3" in parent.html
    next_page = browser.wire[-1]
    assert next_page <= NEXT_PAGE_BUDGET, next_page
    for url in static_urls(parent.html):
        assert url in assets, url  # nothing new to download
        response = client.get(url)
        response.close()
        assert response.cache_control.immutable, url  # and nothing to revalidate

"""Every page of each role, at 320 px and 1280 px, in French and in English: axe-core (WCAG 2.1 A/AA and best
practices) finds no violation and no page scrolls sideways (issue 16).

The crawl follows the links of the pages (GET only: it changes nothing), starting from each role's menu. A page is
visited once per kind of address (numbers in the path are one kind: ``/surveys/1`` stands for ``/surveys/2``;
a query string counts by its names), by the first role that reaches it, so that the crawl stays fast: one browser,
one context per role and language, axe injected once per page and run at both widths after a resize.
"""

import re
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import axe_playwright_python
import pytest

from tests.e2e.conftest import DESKTOP, sign_in

pytestmark = pytest.mark.e2e

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
#: Narrow first: the page loads at 320 px, as on a phone (its scripts see that width), then widens.
WIDTHS = ((320, 640), (1280, 900))
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
AXE_SOURCE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
ROLES = {
    "anonymous": ["/", "/login", "/password/forgot", "/s/besoins-parents-0-8"],
    "partner": ["/votes", "/account"],
    "facilitator": ["/surveys", "/moderation", "/manage/ballots", "/moderation/items?state=approved"],
    "admin": ["/admin/"],
}
#: Addresses that are not pages: downloads, images, machine answers, and what signing out or a token would spend.
NOT_PAGES = re.compile(
    r"^/(static|healthz|r|i|account/invitation|password/reset)(/|$)"
    r"|\.(csv|xlsx|json|png|svg|pdf|zip)$|/export/|/account/data"
)
#: The survey that respondents are sent to first: its first page is reached through its start button (a POST).
START_SURVEY = "/s/besoins-parents-0-8"

_OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
_AXE = """options => axe.run(document, options).then(r => r.violations.map(v => (
    {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))"""
_WIDE = """w => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 1).slice(-3)
    .map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').trim().slice(0, 40))"""


#: Pages whose query string makes another page (filtered views, each with its own title); elsewhere a query string
#: only preselects or reorders what the same page shows.
FILTERED = {"/moderation/items"}


def kind(url: str) -> str:
    parts = urlsplit(url)
    names = sorted({name for name, _value in parse_qsl(parts.query, keep_blank_values=True)})
    path = re.sub(r"\d+", "#", parts.path)
    return path + ("?" + "&".join(names) if names and parts.path in FILTERED else "")


class Crawl:
    def __init__(self, live_server) -> None:
        self.base = live_server.url
        self.kinds: set[str] = set()
        self.problems: list[str] = []
        self.visited = 0
        self.seconds = {"load": 0.0, "axe": 0.0}

    def links(self, page) -> list[str]:
        hrefs = page.eval_on_selector_all("a[href]:not([download])", "els => els.map(e => e.href)")
        found = []
        for href in hrefs:
            if not href.startswith(self.base):
                continue
            path = href[len(self.base) :].split("#")[0]
            if not path or NOT_PAGES.search(urlsplit(path).path):
                continue
            found.append(path)
        return found

    def check(self, page, path: str, language: str) -> bool:
        page.set_viewport_size({"width": WIDTHS[0][0], "height": WIDTHS[0][1]})
        started = time.perf_counter()
        response = page.goto(self.base + path, wait_until="domcontentloaded")
        self.seconds["load"] += time.perf_counter() - started
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            return False
        self.visited += 1
        self.check_loaded(page, path, language)
        return True

    def check_loaded(self, page, path: str, language: str) -> None:
        for index, (width, height) in enumerate(WIDTHS):
            if index:
                page.set_viewport_size({"width": width, "height": height})
            where = f"{path} ({language}, {width} px)"
            overflow = page.evaluate(_OVERFLOW)
            if overflow > 0:
                wide = page.evaluate(_WIDE, width)
                self.problems.append(f"{where}: scrolls sideways by {overflow} px: {wide}")
            started = time.perf_counter()
            violations = page.evaluate(_AXE, AXE_OPTIONS)
            self.seconds["axe"] += time.perf_counter() - started
            for v in violations:
                self.problems.append(f"{where}: {v['id']} ({v['impact']}) {v['help']}: {v['nodes']}")

    def open(self, browser, live_server, role: str, language: str, contexts: list):
        """A page in a new context, signed in as ``role``, in ``language`` (whatever the account prefers: the
        journeys may have switched it)."""
        context = browser.new_context(locale="en" if language == "en" else "fr-CA", **DESKTOP)
        contexts.append(context)
        context.add_init_script(AXE_SOURCE)
        page = context.new_page()
        if role != "anonymous":
            sign_in(page, live_server, role)
            page.wait_for_load_state()
        page.goto(self.base + "/")
        wanted = "en" if language == "en" else "fr-CA"
        if page.locator("html").get_attribute("lang") != wanted:
            page.get_by_role("button", name="English" if language == "en" else "Français").click()
        assert page.locator("html").get_attribute("lang") == wanted
        return page

    def role(self, browser, live_server, role: str, seeds: list[str]) -> None:
        contexts = []
        try:
            page = self.open(browser, live_server, role, "fr", contexts)
            queue, seen, mine = list(seeds), set(), []
            while queue:
                path = queue.pop(0)
                if kind(path) in self.kinds or kind(path) in seen:
                    continue
                seen.add(kind(path))
                if not self.check(page, path, "fr"):
                    continue
                self.kinds.add(kind(path))
                mine.append(path)
                queue.extend(self.links(page))
                if role == "anonymous" and path == START_SURVEY:
                    page.set_viewport_size({"width": WIDTHS[0][0], "height": WIDTHS[0][1]})
                    page.locator("#start-button").click()
                    page.wait_for_url(re.compile(r"/page/\d+$"))
                    page.wait_for_load_state("domcontentloaded")
                    first = urlsplit(page.url).path
                    self.kinds.add(kind(first))
                    mine.append(first)
                    self.visited += 1
                    self.check_loaded(page, first, "fr")
            page = self.open(browser, live_server, role, "en", contexts)
            if role == "anonymous":
                page.goto(self.base + START_SURVEY)
                page.locator("#start-button").click()
                page.wait_for_url(re.compile(r"/page/\d+$"))
            for path in mine:
                self.check(page, path, "en")
        finally:
            for context in contexts:
                context.close()


def test_every_page_of_every_role_fits_320_px_and_passes_axe(browser, live_server):
    crawl = Crawl(live_server)
    for role, seeds in ROLES.items():
        crawl.role(browser, live_server, role, seeds)
    seconds = ", ".join(f"{name} {value:.0f} s" for name, value in crawl.seconds.items())
    print(f"{len(crawl.kinds)} kinds of page, {crawl.visited} page loads, {crawl.visited * 2} axe runs ({seconds})")
    assert len(crawl.kinds) >= 55, sorted(crawl.kinds)
    assert crawl.problems == [], "\n".join(crawl.problems)

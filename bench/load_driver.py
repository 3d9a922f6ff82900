"""The load benchmark's driver: simulated people over HTTP, in a process of its own (see bench_load.py).

    python -m bench.load_driver PHASE CONFIG.json      # prints one JSON document on standard output

Phases (CONFIG gives ``base_url`` and what the phase needs):

- ``floor``: ``concurrency`` clients each send ``requests`` POSTs to ``/bench/floor`` (one row inserted each).
- ``respond``: ``concurrency`` respondents, all at once, each with its own cookies: open ``/s/<slug>``, press
  Start, then fill and send every page they are shown, following each redirect, until the thank-you page. The
  form is read from the page like a browser would: its action, its hidden fields (CSRF token, submission key),
  and its questions (the answers depend on the field's kind, a few on the question's code; each respondent
  draws its own, so display conditions send different people through different questions and pages).
- ``assembly``: ``partners`` people sign in at ``/login`` and open ``/ballots/<id>`` (not timed), then all at once
  cast the ranking ballot: every option ranked, a random order each; the casts are returned for the count check.

Every request is timed. An error is any transport failure or any status that a browser would not expect (a page
sent back with a 4xx or 5xx, a form re-displayed instead of a redirect).
"""

from __future__ import annotations

import asyncio
import html
import json
import random
import re
import resource
import ssl
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx

TIMEOUT = httpx.Timeout(120.0)
MAX_PAGES = 30  # a respondent who is still not done after this many pages is an error
TEXTS = [
    "Plus de places en halte-garderie le samedi, près de chez nous.",
    "Des activités d’éveil à la lecture à la bibliothèque, et du transport pour s’y rendre.",
    "Un soutien pour les parents seuls, surtout le soir et la fin de semaine.",
    "Des informations claires sur les services offerts dans notre municipalité.",
]
# Text answers by question code; other text fields get a generic answer by kind.
TEXT_ANSWERS = {
    "nb_enfants": lambda rng: str(rng.randint(1, 4)),
    "heures_travail": lambda rng: rng.choice(["0", "20", "35", "37,5", "40"]),
    "code_postal": lambda rng: rng.choice(["J1H", "J0B", "J2G", "J1X"]),
}
EXCLUSIVE = {"aucun"}  # choices that exclude the others in a multiple choice

_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
_ELEMENT = re.compile(r"<(input|textarea)\b([^>]*)>|<select\b([^>]*)>(.*?)</select>", re.S)
_OPTION = re.compile(r"<option\b([^>]*)>([^<]*)", re.S)
_ATTR = re.compile(r'([\w:.-]+)(?:="([^"]*)")?')


def _attrs(text: str) -> dict[str, str]:
    return {name: html.unescape(value or "") for name, value in _ATTR.findall(text)}


@dataclass
class Form:
    action: str
    hidden: list[tuple[str, str]] = field(default_factory=list)
    texts: list[dict[str, str]] = field(default_factory=list)  # input text/number/date/email and textarea
    radios: dict[str, list[str]] = field(default_factory=dict)
    checkboxes: dict[str, list[str]] = field(default_factory=dict)
    selects: dict[str, list[str]] = field(default_factory=dict)


def parse_form(page: str, marker: str) -> Form | None:
    """The first form whose opening tag contains ``marker`` (e.g. 'id="page-form"')."""
    for match in _FORM.finditer(page):
        if marker not in match.group(1):
            continue
        form = Form(action=_attrs(match.group(1)).get("action", ""))
        for element in _ELEMENT.finditer(match.group(2)):
            if element.group(1):
                attrs = _attrs(element.group(2))
                name = attrs.get("name")
                if not name:
                    continue
                kind = attrs.get("type", "text") if element.group(1) == "input" else "textarea"
                if kind == "hidden":
                    form.hidden.append((name, attrs.get("value", "")))
                elif kind == "radio":
                    form.radios.setdefault(name, []).append(attrs.get("value", "on"))
                elif kind == "checkbox":
                    form.checkboxes.setdefault(name, []).append(attrs.get("value", "on"))
                elif kind not in {"submit", "button"}:
                    form.texts.append({"kind": kind, **attrs})
            else:
                attrs = _attrs(element.group(3))
                options = []
                for option_attrs, label in _OPTION.findall(element.group(4)):
                    parsed = _attrs(option_attrs)
                    options.append(parsed["value"] if "value" in parsed else html.unescape(label).strip())
                form.selects[attrs.get("name", "")] = options
        return form
    return None


def as_form(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    """httpx's form data: each name with its list of values (a multiple choice sends several)."""
    data: dict[str, list[str]] = defaultdict(list)
    for name, value in pairs:
        data[name].append(value)
    return dict(data)


def _code(name: str) -> str:
    return name.removeprefix("q_").split(":", 1)[0]


def fill_page(form: Form, rng: random.Random) -> list[tuple[str, str]]:
    """Answers for every question of a survey page, valid for the parent-needs questionnaire and its kind."""
    data = list(form.hidden)
    chosen_other: set[str] = set()

    def pick(name: str, values: list[str]) -> str:
        plain = [v for v in values if v != "other"]
        if "other" in values and (not plain or rng.random() < 0.1):
            chosen_other.add(name)
            return "other"
        return rng.choice(plain)

    for name, values in form.radios.items():
        data.append((name, pick(name, values)))
    for name, values in form.checkboxes.items():
        plain = [v for v in values if v != "other" and v not in EXCLUSIVE]
        if values and rng.random() < 0.1 and EXCLUSIVE & set(values):
            data.append((name, next(v for v in values if v in EXCLUSIVE)))
            continue
        chosen = rng.sample(plain, rng.randint(1, min(2, len(plain)))) if plain else []
        if "other" in values and rng.random() < 0.1:
            chosen.append("other")
            chosen_other.add(name)
        data.extend((name, value) for value in chosen)
    ranking_groups: dict[str, list[str]] = defaultdict(list)
    for name, options in form.selects.items():
        numbers = [o for o in options if o.isdigit()]
        if ":" in name and numbers and len(numbers) == len(options) - 1:
            ranking_groups[name.split(":", 1)[0]].append(name)
            continue
        values = [o for o in options if o]
        if values:
            data.append((name, pick(name, values)))
    for names in ranking_groups.values():
        ranked = rng.sample(names, rng.randint(1, len(names)))
        data.extend((name, str(rank)) for rank, name in enumerate(ranked, start=1))
    for text in form.texts:
        name = text["name"]
        if name.endswith(":other"):
            if name.removesuffix(":other") in chosen_other:
                data.append((name, "Un groupe de parents du quartier"))
            continue
        code = _code(name)
        if code in TEXT_ANSWERS:
            value = TEXT_ANSWERS[code](rng)
        elif text["kind"] == "date":
            value = f"{rng.randint(2017, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        elif text["kind"] == "email":
            value = f"parent{rng.randint(1, 10**6)}@example.org"
        elif text.get("inputmode") in {"numeric", "decimal"}:
            value = str(rng.randint(1, 3))
        elif text["kind"] == "textarea":
            value = rng.choice(TEXTS)
        else:
            value = rng.choice(["Oui", "Non", "Peut-être"])[: int(text.get("maxlength") or 100)]
        data.append((name, value))
    data.append(("action", "next"))
    return data


class Run:
    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.completed = 0

    async def request(
        self, client: httpx.AsyncClient, kind: str, method: str, url: str, expect: set[int], **kwargs: Any
    ) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = await client.request(method, url, **kwargs)
        except httpx.HTTPError as error:
            self.errors.append(f"{method} {url}: {type(error).__name__} {error}")
            return None
        self.latencies[kind].append((time.perf_counter() - started) * 1000)
        if response.status_code not in expect:
            snippet = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))[:300]
            self.errors.append(f"{method} {url}: status {response.status_code}: {snippet}")
            return None
        return response


# httpx builds an SSL context for every client unless given one (about 25 ms of CPU, loading the CA
# certificates), even for plain HTTP: 200 clients created at once blocked the event loop for seconds, and that
# time was counted in the latencies of the requests in flight.
_SSL_CONTEXT = ssl.create_default_context()


def _client(base_url: str, *, paced: bool = False) -> httpx.AsyncClient:
    # One client per simulated person: its own cookies, one connection (a browser would open a few).
    # Paced: a connection idle for more than 1 s is not reused. gunicorn closes an idle connection after its
    # keepalive (5 s), and a request sent on it at that moment fails (ReadError): a browser retries such a
    # request on a new connection, this driver instead opens a new connection after each pause.
    limits = httpx.Limits(max_connections=1, keepalive_expiry=1.0 if paced else 5.0)
    return httpx.AsyncClient(
        base_url=base_url, timeout=TIMEOUT, follow_redirects=False, limits=limits, verify=_SSL_CONTEXT
    )


async def respondent(run: Run, base_url: str, slug: str, index: int, think: tuple[float, float] | None = None) -> None:
    """One person. ``think`` = (least, most) seconds: a pause drawn uniformly before arriving and before each POST
    (reading the page, answering); ``None``: no pause at all (the flood)."""
    rng = random.Random(index)
    pause_rng = random.Random(f"think {index}")

    async def pause() -> None:
        if think is not None:
            await asyncio.sleep(pause_rng.uniform(*think))

    if think is not None:  # people arrive over the first pause, not all in the same millisecond
        await asyncio.sleep(pause_rng.uniform(0, think[1]))
    async with _client(base_url, paced=think is not None) as client:
        landing = await run.request(client, "landing GET", "GET", f"/s/{slug}", {200})
        if landing is None:
            return
        start = parse_form(landing.text, 'action="/s/')
        if start is None:
            run.errors.append("landing: no start form")
            return
        await pause()
        started = await run.request(client, "start POST", "POST", start.action, {302, 303}, data=as_form(start.hidden))
        if started is None:
            return
        location = started.headers["location"]
        for _page in range(MAX_PAGES):
            page = await run.request(client, "page GET", "GET", location, {200})
            if page is None:
                return
            form = parse_form(page.text, 'id="page-form"')
            if form is None:
                run.errors.append(f"{location}: no page form")
                return
            await pause()
            sent = await run.request(
                client, "page POST", "POST", form.action, {302, 303}, data=as_form(fill_page(form, rng))
            )
            if sent is None:
                return
            location = sent.headers["location"]
            if location.rstrip("/").endswith("/thanks"):
                if await run.request(client, "thanks GET", "GET", location, {200}) is not None:
                    run.completed += 1
                return
        run.errors.append(f"respondent {index}: not done after {MAX_PAGES} pages")


async def started_respondent(run: Run, base_url: str, slug: str, index: int) -> tuple | None:
    """A person who opened the survey, pressed Start and has the first page in front of them (not timed). Their
    first POST goes out once everyone has started, possibly after gunicorn's keep-alive: on a new connection when
    the last one has been idle for more than 1 s (a ReadError in a run at load 18 otherwise)."""
    client = _client(base_url, paced=True)
    landing = await run.request(client, "prepare GET", "GET", f"/s/{slug}", {200})
    start = parse_form(landing.text, 'action="/s/') if landing is not None else None
    if start is not None:
        started = await run.request(client, "start POST", "POST", start.action, {302, 303}, data=as_form(start.hidden))
        if started is not None:
            page = await run.request(client, "prepare GET", "GET", started.headers["location"], {200})
            if page is not None:
                return client, page, random.Random(index)
    await client.aclose()
    return None


async def page_submits(run: Run, person: tuple) -> None:
    """Every page of one started respondent: each *page submit* is the POST of a page and the GET of the page it
    leads to (the next page, or the thank-you page after the last)."""
    client, page, rng = person
    try:
        for _page in range(MAX_PAGES):
            form = parse_form(page.text, 'id="page-form"')
            sent = await run.request(
                client, "page POST", "POST", form.action, {302, 303}, data=as_form(fill_page(form, rng))
            )
            if sent is None:
                return
            location = sent.headers["location"]
            done = location.rstrip("/").endswith("/thanks")
            page = await run.request(client, "thanks GET" if done else "page GET", "GET", location, {200})
            if page is None or done:
                run.completed += page is not None
                return
        run.errors.append(f"a respondent was not done after {MAX_PAGES} pages")
    finally:
        await client.aclose()


async def floor_client(run: Run, base_url: str, requests: int, index: int, health: bool = False) -> None:
    """``requests`` bare inserts; ``health``: each followed by GET /healthz (the shape of a POST and its redirect)."""
    async with _client(base_url) as client:
        for n in range(requests):
            payload = {"payload": f"client {index} request {n}"}
            if await run.request(client, "floor POST", "POST", "/bench/floor", {204}, data=payload) is None:
                continue
            if health and await run.request(client, "healthz GET", "GET", "/healthz", {200}) is None:
                continue
            run.completed += 1


async def signed_in_partner(run: Run, base_url: str, email: str, password: str, ballot_id: int) -> tuple | None:
    """A partner signed in, with the ballot form on screen (not timed: the assembly times the votes)."""
    rng = random.Random(email)
    # Like the paced respondents: the vote goes out after everyone has signed in, seconds later, on a connection
    # gunicorn may be closing (keep-alive 5 s): a connection idle for more than 1 s is not reused, as a browser
    # would retry on a new one.
    client = _client(base_url, paced=True)
    person = await _sign_in(run, client, email, password, ballot_id)
    if person is None:
        await client.aclose()
        return None
    return (client, email, person, rng)


async def _sign_in(run: Run, client: httpx.AsyncClient, email: str, password: str, ballot_id: int) -> Form | None:
    page = await run.request(client, "login GET", "GET", "/login", {200})
    if page is None:
        return None
    login = parse_form(page.text, 'method="post" novalidate')
    token = dict(login.hidden).get("csrf_token", "") if login else ""
    data = {"csrf_token": token, "email": email, "password": password}
    if await run.request(client, "login POST", "POST", "/login", {302, 303}, data=data) is None:
        return None
    page = await run.request(client, "ballot GET", "GET", f"/ballots/{ballot_id}", {200})
    if page is None:
        return None
    form = parse_form(page.text, 'id="ballot-form"')
    if form is None:
        run.errors.append(f"{email}: no ballot form")
    return form


async def partner(run: Run, person: tuple, casts: list) -> None:
    """The partner presses "Voter" (the POST, then the receipt page it redirects to, as a browser follows it)."""
    client, email, form, rng = person
    try:
        await _vote(run, client, email, form, rng, casts)
    finally:
        await client.aclose()  # opened by the sign-in, before the wave


async def _vote(run: Run, client: httpx.AsyncClient, email: str, form: Form, rng: random.Random, casts: list) -> None:
    names = [name for name in form.selects if name.startswith("rank-")]
    order = rng.sample(names, len(names))
    contents = {name.removeprefix("rank-"): rank for rank, name in enumerate(order, start=1)}
    data = as_form([*form.hidden, *((f"rank-{option}", str(rank)) for option, rank in contents.items())])
    cast = await run.request(client, "vote POST", "POST", form.action, {302, 303}, data=data)
    if cast is None:
        return
    receipt = await run.request(client, "receipt GET", "GET", cast.headers["location"], {200})
    if receipt is None:
        return
    if "receipt-code" not in receipt.text:
        run.errors.append(f"{email}: no receipt shown after the vote")
        return
    casts.append(contents)
    run.completed += 1


async def main(phase: str, config: dict) -> dict:
    run = Run()
    base = config["base_url"]
    casts: list[dict[str, int]] = []
    if phase == "floor":
        health = bool(config.get("health"))
        jobs = [floor_client(run, base, config["requests"], i, health) for i in range(config["concurrency"])]
    elif phase in {"respond", "paced"}:
        think = tuple(config["think"]) if config.get("think") else None
        jobs = [
            respondent(run, base, config["slug"], config.get("first_index", 0) + i, think)
            for i in range(config["concurrency"])
        ]
    elif phase == "assembly":  # only the votes are timed: every partner is signed in, the ballot on screen
        people = await asyncio.gather(
            *(
                signed_in_partner(run, base, email, config["password"], config["ballot_id"])
                for email in config["emails"]
            )
        )
        for kind in ("login GET", "login POST", "ballot GET"):
            run.latencies.pop(kind, None)
        jobs = [partner(run, person, casts) for person in people if person is not None]
    elif phase == "pages":  # only page submits are timed: everyone has started before the clock starts
        people = await asyncio.gather(
            *(
                started_respondent(run, base, config["slug"], config["first_index"] + i)
                for i in range(config["concurrency"])
            )
        )
        jobs = [page_submits(run, person) for person in people if person is not None]
    else:
        raise SystemExit(f"unknown phase {phase!r}")
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    await asyncio.gather(*jobs)
    wall = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    return {
        "phase": phase,
        "wall_s": wall,
        "completed": run.completed,
        "error_count": len(run.errors),
        "errors": run.errors[:10],
        "latencies": run.latencies,
        "driver_cpu_s": cpu,
        "casts": casts,
    }


if __name__ == "__main__":
    with open(sys.argv[2], encoding="utf-8") as handle:
        settings = json.load(handle)
    json.dump(asyncio.run(main(sys.argv[1], settings)), sys.stdout)

"""URL helpers: the only way to build a link for use outside the app, and safe redirects."""

from urllib.parse import urlsplit

from flask import current_app, request
from werkzeug.routing import IntegerConverter, Map


def external_url(endpoint: str, **values) -> str:
    """An absolute link to ``endpoint`` for e-mails, QR codes, flyers, printed sheets and resume or invitation links.

    It always starts with ``PUBLIC_URL``: the Host header of the current request (which anyone can forge, and which
    ``url_for(..., _external=True)`` would copy) plays no part. Works with or without a request.
    """
    public = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(public.netloc, script_name=public.path or "/", url_scheme=public.scheme)
    return adapter.build(endpoint, values, force_external=True)


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths may be redirected to (no open redirect)."""
    if not target:
        return None
    target = target.replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


# Ids are PostgreSQL integers: a larger number cannot name anything, and sending it to the database fails
# (SQLite: Python int too large; PostgreSQL: integer or bigint out of range). Page numbers are capped too.
MAX_ID = 2**31 - 1
MAX_PAGE = 100_000


class IdConverter(IntegerConverter):
    """``<int:…>`` in every rule of the app: 0 to MAX_ID unless the rule says otherwise. A larger number does not
    match the rule, so the address is a plain 404 before any view or query runs."""

    def __init__(
        self, map: Map, fixed_digits: int = 0, min: int | None = None, max: int | None = None, signed: bool = False
    ):
        super().__init__(map, fixed_digits, min, MAX_ID if max is None else max, signed)


def int_arg(name: str, default: int | None = None, *, maximum: int = MAX_ID) -> int | None:
    """A whole number from 1 to ``maximum`` in the query string; ``default`` when absent, not a number or outside."""
    value = request.args.get(name, type=int)
    return value if value is not None and 1 <= value <= maximum else default


def page_arg() -> int:
    """``?page=`` for ``db.paginate``: 1 when absent or not a page number, at most MAX_PAGE (an empty page)."""
    value = request.args.get("page", type=int)
    return 1 if value is None or value < 1 else min(value, MAX_PAGE)

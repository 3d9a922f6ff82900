"""URL helpers: the only way to build a link for use outside the app, and safe redirects."""

from urllib.parse import urlsplit

from flask import current_app


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

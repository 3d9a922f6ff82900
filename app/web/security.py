"""Security headers on every response; NUL characters refused; in production, requests for another host refused."""

from urllib.parse import urlsplit

from flask import Flask, Response, request
from werkzeug.sansio.utils import host_is_trusted

from app.web.error_pages import NUL_TEXT, WRONG_HOST_TEXT, render_error

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


def _contains_nul(data) -> bool:
    """Every key and every value of a MultiDict (``values()`` alone gives only the first value of each key)."""
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())


def _files_contain_nul(files) -> bool:
    """The field names and the file names of the uploads (what the browser says the file is called)."""
    return any(
        "\x00" in key or any("\x00" in (upload.filename or "") for upload in uploads) for key, uploads in files.lists()
    )


def has_nul(request) -> bool:
    """Whether any part of the request a view may read holds a NUL: the path (decoded: ``/s/%00``), the query
    string, and for a POST the form fields and the uploads' names."""
    if "\x00" in request.path or _contains_nul(request.args):
        return True
    return request.method == "POST" and (_contains_nul(request.form) or _files_contain_nul(request.files))


def register(app: Flask) -> None:
    if app.config["REFUSE_OTHER_HOSTS"]:
        _refuse_other_hosts(app)

    @app.before_request
    def refuse_nul_characters():
        """A NUL character is never text a person meant to type (and PostgreSQL refuses it): refuse clearly."""
        if has_nul(request):
            return render_error(400, NUL_TEXT)
        return None

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


def _refuse_other_hosts(app: Flask) -> None:
    """Production answers only for PUBLIC_URL's host (400 otherwise), so a forged Host header reaches no page.

    ``/healthz`` is the exception: a load balancer may probe each app server by its own address, and the health
    check builds no link and shows nothing but the status of the database and Redis.
    """
    trusted = [urlsplit(app.config["PUBLIC_URL"]).hostname]

    @app.before_request
    def refuse_other_hosts():
        if request.path == "/healthz" or host_is_trusted(request.host, trusted):
            return None
        return render_error(400, WRONG_HOST_TEXT)

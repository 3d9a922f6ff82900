"""Error pages in the person's language, for HTML and for JSON clients."""

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.core.extensions import db

logger = logging.getLogger(__name__)

ERROR_TEXTS = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back, reload the page and try again.")),
    403: (_l("Access denied"), _l("Your account does not give access to this page.")),
    404: (_l("Page not found"), _l("This page does not exist or is no longer available.")),
    405: (_l("Method not allowed"), _l("This address cannot be used this way.")),
    410: (_l("No longer available"), _l("This page is no longer available.")),
    413: (_l("Too large"), _l("What you sent is too large. Send a smaller file or a shorter text.")),
    429: (_l("Too many attempts"), _l("Too many attempts in a short time. Wait a minute, then try again.")),
    500: (_l("Something went wrong"), _l("An unexpected error occurred. The team has been told; please try again.")),
}
NUL_TEXT = _l("What you sent contains an invisible NUL character, which is not allowed. Remove it and send again.")
WRONG_HOST_TEXT = _l("This address does not belong to this site. Check the address you typed.")
CSRF_TEXT = _l("Your form expired or was sent from another page. Reload the page and send it again.")


def render_error(status: int, message=None):
    title, default_message = ERROR_TEXTS.get(status, ERROR_TEXTS[500 if status >= 500 else 400])
    message = message or default_message
    if request.accept_mimetypes.best == "application/json" or request.path == "/healthz":
        return jsonify(status="error", code=status, message=str(message)), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return render_error(400, CSRF_TEXT)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return render_error(error.code or 500)

    @app.errorhandler(InternalServerError)
    def internal_error(_error):
        db.session.rollback()
        return render_error(500)

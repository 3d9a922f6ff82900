"""The test client the suite's app uses, in a module of its own so that ``conftest`` (as pytest loads it) and
``tests.conftest`` (as test modules import it) share one list of responses still to close."""

import contextvars

from flask.testing import FlaskClient

_unclosed_responses: list = []
# A server closes each response once sent; the test client leaves that to the test, so the responses are closed
# here MAX_UNCLOSED requests later, or when finish_responses() is called.
MAX_UNCLOSED = 50


class IsolatedClient(FlaskClient):
    """Each request gets its own app context (and ``g``), as in production, although the test has one pushed; and
    its body is read there to the end, as a WSGI server does once the view has returned (a streamed body then runs
    in its own app context and session, app/web/streaming.py, and must be done before the test goes on with the same
    database connection). It is closed later (below), so what runs after the response can be observed apart."""

    def _open_and_read(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        if not response.is_sequence:
            response.make_sequence()
        return response

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(self._open_and_read, *args, **kwargs)
        _unclosed_responses.append(response)
        if len(_unclosed_responses) > MAX_UNCLOSED:
            _unclosed_responses.pop(0).close()
        return response


def finish_responses() -> None:
    """Close the responses the test clients returned, as a server does once it has sent one: what the app left for
    after the response (e-mail delivery, a password-reset request) runs now."""
    while _unclosed_responses:
        _unclosed_responses.pop(0).close()


def forget_responses() -> None:
    """Drop the responses still open without closing them: their after-response work would outlive the test."""
    _unclosed_responses.clear()

"""Bodies of streamed responses (exports): produced after the view has returned.

A WSGI server asks for the chunks of a body only once the view has returned and Flask has popped the request's
contexts, closing its database session. A generator that reads the database there fails at its first query
("Working outside of application context") and the download is cut after the first chunk. The integration tests
did not see it (their session, bound to the test's connection, needs no app context); the live tier, tests/live,
downloads through gunicorn. :func:`in_app_context` gives such a body an application context of its own, hence its
own ``db.session``, removed with it when the body ends or the client goes away.
"""

import contextvars
from collections.abc import Callable, Iterable, Iterator
from typing import ParamSpec, TypeVar

from flask import current_app

P = ParamSpec("P")
T = TypeVar("T")


def in_app_context(make: Callable[P, Iterable[T]], *args: P.args, **kwargs: P.kwargs) -> Iterator[T]:
    """The items of ``make(*args, **kwargs)``, computed when the server asks for them, in a fresh application
    context of the current app. Give ``make`` ids and plain values, not objects of the request's session (it is
    closed by then) and nothing from the request (there is none): read the language, the user and so on in the
    view.

    Each step runs in a ``contextvars.Context`` of the body's own, so the app context is pushed and popped in the
    same one whichever thread or context the server reads the body from (the test client reads the first chunk
    inside the request and the rest outside it)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def produce() -> Iterator[T]:
        with app.app_context():
            yield from make(*args, **kwargs)

    def body() -> Iterator[T]:
        context = contextvars.Context()
        items = produce()
        try:
            while True:
                try:
                    item = context.run(next, items)
                except StopIteration:
                    return
                yield item
        finally:
            context.run(items.close)

    return body()

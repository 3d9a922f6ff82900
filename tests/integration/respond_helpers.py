"""A respondent driving the test client like a browser: reads the form's hidden fields from the page it got."""

import re
from html import unescape

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from app.core.extensions import db
from app.models import Answer, Response
from tests.conftest import csrf_token_from

KEY = re.compile(r'name="submission_key" value="([^"]+)"')
START_KEY = re.compile(r'name="start_key" type="hidden" value="([^"]+)"')
PAGE_ACTION = re.compile(r'<form method="post" action="([^"]+)" class="survey-form"')
START_ACTION = re.compile(r'<form method="post" action="([^"]+)">\s*<input id="start_key"')
STATE = re.compile(r'name="state" value="([^"]+)"')


def answers_of(response: Response, *, dates: bool = False) -> list[tuple]:
    """(question, choice, row, text, number, [date,] rank, other, territory) of each stored answer, by question."""
    rows = db.session.execute(
        sa.select(Answer).where(Answer.response_id == response.id).order_by(Answer.question_id, Answer.id)
    ).scalars()
    return [
        (
            a.question.code,
            a.choice.code if a.choice else None,
            a.row.code if a.row else None,
            a.text_value,
            a.number_value,
            *((a.date_value,) if dates else ()),
            a.rank,
            a.is_other,
            a.territory.code if a.territory else None,
        )
        for a in rows
    ]


class Respondent:
    def __init__(self, client) -> None:
        self.client = client
        self.html = ""
        self.response = None

    def get(self, url: str, follow: bool = True):
        response = self.client.get(url, follow_redirects=follow)
        self.response = response
        self.html = response.get_data(as_text=True)
        return response

    def start(self, url: str):
        """Open a landing page (/s/<slug> or /i/<token>) and press its Start button."""
        self.get(url)
        return self.press_start()

    def press_start(self, follow: bool = True):
        action = unescape(START_ACTION.search(self.html).group(1))
        data = {"csrf_token": csrf_token_from(self.html), "start_key": START_KEY.search(self.html).group(1)}
        response = self.client.post(action, data=data, follow_redirects=follow)
        self.response = response
        self.html = response.get_data(as_text=True)
        return response

    @property
    def key(self) -> str:
        return KEY.search(self.html).group(1)

    @property
    def action(self) -> str:
        return unescape(PAGE_ACTION.search(self.html).group(1))

    def form_data(self, answers, action: str = "next", key: str | None = None) -> MultiDict:
        pairs = list(answers.items()) if isinstance(answers, dict) else list(answers)
        data = [
            ("csrf_token", csrf_token_from(self.html)),
            ("submission_key", key or self.key),
            ("action", action),
        ]
        state = STATE.search(self.html)
        if state:
            data.append(("state", unescape(state.group(1))))
        return MultiDict(data + [(name, value) for name, value in pairs])

    def send(self, answers=(), action: str = "next", follow: bool = True, key: str | None = None):
        """Submit the current page."""
        response = self.client.post(self.action, data=self.form_data(answers, action, key), follow_redirects=follow)
        self.response = response
        self.html = response.get_data(as_text=True)
        return response

"""The resume link sent by e-mail to the respondent who asks for it (issue 16).

The address is used for this one message: it is neither stored with the response nor logged. The message is queued
on the database session (app/mail.py) and leaves after the request's commit.
"""

from flask import render_template
from flask_babel import gettext as _

from app.core.mail import send_mail
from app.models import Survey
from app.web.i18n import localized


def send_resume_link(survey: Survey, address: str, link: str) -> None:
    """Queue the message holding ``link`` to ``address``, in the current language."""
    send_mail(
        address,
        _("Your link to continue the questionnaire"),
        render_template("emails/resume_link.txt", title=localized(survey, "title"), link=link),
    )

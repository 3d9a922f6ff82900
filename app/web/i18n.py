"""Locale selection and per-language content helpers."""

from datetime import date, datetime
from typing import Any

from flask import Flask, current_app, has_request_context, session
from flask_babel import format_date, format_datetime, get_locale, get_timezone, ngettext
from flask_login import current_user
from markupsafe import Markup

LANGUAGE_NAMES = {"fr_CA": "Français", "en": "English"}


def select_locale() -> str:
    """French first: an explicit choice (session), then the account's preference, then fr-CA."""
    supported = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and other work outside a request: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("locale")
    if chosen in supported:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    """'fr' or 'en': the suffix of per-language content fields."""
    return "en" if str(get_locale()).startswith("en") else "fr"


def localized(obj: Any, field: str, language: str | None = None) -> str:
    """``obj.<field>_<lang>`` in the current language, falling back to French, then English."""
    language = language or current_language()
    for lang in (language, "fr", "en"):
        value = getattr(obj, f"{field}_{lang}", None)
        if value:
            return value
    return ""


def register(app: Flask) -> None:
    # Lazy: a genuine cycle (labels -> questions -> this module's ``localized``).
    from app.core.labels import label
    from app.models import Role

    # ``localized`` is a global too (not only in the context): the templates of the question types use it, and
    # they are imported without the page's context (templates/questions/_parts.html).
    app.jinja_env.globals.update(Role=Role, label=label, localized=localized)
    app.jinja_env.filters["format_date_long"] = lambda value: format_date(value, "long")
    app.jinja_env.filters["format_datetime_short"] = lambda value: format_datetime(value, "short")
    app.jinja_env.filters["days_in_words"] = days_in_words
    app.jinja_env.globals["lang_attr"] = lang_attr

    @app.context_processor
    def inject_i18n() -> dict[str, Any]:
        locale = str(get_locale())
        return {
            "current_locale": locale,
            "html_lang": html_lang(current_language()),
            "language_names": LANGUAGE_NAMES,
            "localized": localized,
        }


def local_today() -> date:
    """Today's date in the application's time zone (phases and openings are local dates)."""
    return datetime.now(get_timezone()).date()


def days_in_words(days: int) -> str:
    """A length of time as people say it, never rounded: "2 ans" for 730 days, "6 mois" for 180, "10 jours"."""
    if days and days % 365 == 0:
        return ngettext("%(num)d year", "%(num)d years", days // 365)
    if days and days % 30 == 0:
        return ngettext("%(num)d month", "%(num)d months", days // 30)
    if days and days % 7 == 0:
        return ngettext("%(num)d week", "%(num)d weeks", days // 7)
    return ngettext("%(num)d day", "%(num)d days", days)


def html_lang(language: str) -> str:
    """The ``lang`` value of a content language ('fr' or 'en')."""
    return "en" if language == "en" else "fr-CA"


def lang_attr(language: str | None) -> Markup:
    """`` lang="en"`` for a text in another language than the page's (an English answer on a French page, and the
    reverse: WCAG 3.1.2, language of parts), nothing otherwise."""
    if not language or language[:2] == current_language():
        return Markup("")
    return Markup(' lang="%s"') % html_lang(language[:2])

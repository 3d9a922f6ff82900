"""Importing a questionnaire file: a JSON definition (definition.py) or an XLSForm workbook (xlsform.py), read into
a new draft survey of a process, or refused with its problems."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import PurePath

from flask_babel import gettext as _

from app.builder.definition import DefinitionInvalid, import_definition
from app.builder.xlsform import XLSFormInvalid, read_xlsform
from app.models import Process, Survey, User

EXTENSIONS = {".json", ".xlsx", ".xls"}


@dataclass
class Imported:
    """The new survey, or None with the problems that refused the file; ``warnings``: what an XLSForm had that was
    imported differently or left out, with its place."""

    survey: Survey | None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def import_file(user: User, process: Process, data: bytes, filename: str) -> Imported:
    """Import ``data`` by the extension of ``filename`` (one of EXTENSIONS). ValueError: a JSON file that cannot be
    read (its message says why)."""
    warnings: list = []
    if PurePath(filename).suffix.lower() == ".json":
        document = _read_json(data)
    else:
        try:
            document = read_xlsform(data, fallback_title=PurePath(filename).stem, warnings=warnings)
        except XLSFormInvalid as exc:
            return Imported(None, [str(p) for p in exc.problems])
    try:
        survey = import_definition(document, process, user)
    except DefinitionInvalid as exc:
        return Imported(None, [str(e) for e in exc.errors])
    return Imported(survey, warnings=[str(w) for w in warnings])


def _read_json(data: bytes):
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ValueError(_("The file is not UTF-8 text.")) from None
    except json.JSONDecodeError as exc:
        raise ValueError(
            _("This is not valid JSON (line %(line)d, column %(column)d).", line=exc.lineno, column=exc.colno)
        ) from None
    except RecursionError:
        raise ValueError(_("This JSON is nested too deeply.")) from None

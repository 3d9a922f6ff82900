"""XLSForm export: a questionnaire → an ``.xlsx`` workbook that pyxform converts (KoboToolbox, ODK) and that
Concerto imports back into the same questionnaire.

- settings sheet: ``form_title`` (French), ``form_id`` (the slug), ``default_language`` French (fr), ``version``;
- survey sheet: one ``begin group``/``end group`` per page (its title and condition, ``field-list``), one row
  per question: the ``type`` its question type writes (``to_xlsform`` in app/questions/), ``name``, ``label``,
  ``hint`` and ``constraint_message`` in ``::French (fr)`` and ``::English (en)`` columns, ``required``, ``relevant``,
  ``constraint``, ``default``, ``read_only``, ``appearance``, ``parameters``, ``calculation``, ``choice_filter``;
  texts in other languages (settings ``translations``) in ``label::es``… columns;
- choices sheet: one list per question with options, named after the question's code (and the columns a
  choice_filter reads).

What XLSForm cannot say (the English title, the survey's texts and settings, a page's introduction, the type and
settings of a question when the XLSForm type is looser, such as a yes/no or a matrix) goes into ``concerto_*``
columns, which pyxform ignores and :func:`app.builder.xlsform.read_xlsform` reads: the round trip is exact.
"""

from __future__ import annotations

import io
import json
from typing import Any

from app.builder.definition import export_definition
from app.models import Survey
from app.questions import question_type

FR, EN = "French (fr)", "English (en)"
SURVEY_COLUMNS = [
    "type",
    "name",
    f"label::{FR}",
    f"label::{EN}",
    f"hint::{FR}",
    f"hint::{EN}",
    "required",
    "relevant",
    "constraint",
    f"constraint_message::{FR}",
    f"constraint_message::{EN}",
    f"required_message::{FR}",
    f"required_message::{EN}",
    "default",
    "read_only",
    "appearance",
    "parameters",
    "calculation",
    "choice_filter",
    "concerto_type",
    "concerto_settings",
    "concerto_page",
]


def _json(value: Any) -> str:
    """Compact JSON; "$" written \\u0024 so that pyxform, which reads ${…} in every column, sees no reference."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).replace("$", "\\u0024")


#: A question's texts in other languages (settings.translations) → the XLSForm columns they are written to.
OTHER_LANGUAGE_COLUMNS = {
    "label": "label",
    "help": "hint",
    "constraint_message": "constraint_message",
    "required_message": "required_message",
}


def _other_languages(settings: dict) -> dict[str, str]:
    """``label::es``, ``hint::es``… cells of a question's texts in languages other than French and English."""
    return {
        f"{OTHER_LANGUAGE_COLUMNS[key]}::{lang}": text
        for lang, texts in sorted((settings.get("translations") or {}).items())
        for key, text in texts.items()
        if key in OTHER_LANGUAGE_COLUMNS and text
    }


def xlsform_rows(survey: Survey) -> tuple[list[dict], list[dict], dict]:
    """(survey rows, choice rows, settings row) as dicts of column → text."""
    definition = export_definition(survey)
    codes = {q.code for q in survey.questions}
    rows: list[dict] = []
    choices: list[dict] = []
    for number, (page, page_data) in enumerate(zip(survey.pages, definition["pages"], strict=True), start=1):
        name = f"page_{number}"
        while name in codes:
            name = "_" + name
        extra = {"intro": page_data["intro"]} if any(page_data["intro"].values()) else {}
        rows.append(
            {
                "type": "begin group",
                "name": name,
                f"label::{FR}": page_data["title"]["fr"],
                f"label::{EN}": page_data["title"]["en"],
                "relevant": page_data["relevant"],
                "appearance": "field-list",  # a page is shown whole (ODK: one screen), so a cascade stays on it
                "concerto_page": _json(extra) if extra else "",
            }
        )
        for question, data in zip(page.questions, page_data["questions"], strict=True):
            qtype = question_type(question)
            written = qtype.to_xlsform(question)
            row = {
                "type": written.type,
                "name": data["code"],
                f"label::{FR}": data["label"]["fr"],
                f"label::{EN}": data["label"]["en"],
                f"hint::{FR}": data["help"]["fr"],
                f"hint::{EN}": data["help"]["en"],
                "required": "yes" if data["required"] else "",
                "relevant": data["relevant"],
                "constraint": data["constraint"],
                f"constraint_message::{FR}": data["constraint_message"]["fr"],
                f"constraint_message::{EN}": data["constraint_message"]["en"],
                f"required_message::{FR}": data["settings"].get("required_message_fr", ""),
                f"required_message::{EN}": data["settings"].get("required_message_en", ""),
                "default": data["settings"].get("default", ""),
                "read_only": "yes" if data["settings"].get("read_only") else "",
                **_other_languages(data["settings"]),
                **written.cells,
                "concerto_type": data["type"],
                "concerto_settings": _json(
                    {"settings": data["settings"], **({"rows": data["rows"]} if "rows" in data else {})}
                ),
            }
            rows.append(row)
            translations = data["settings"].get("translations") or {}
            for code, label_fr, label_en, properties in written.choices:
                other = {
                    f"label::{lang}": texts[f"choice:{code}"]
                    for lang, texts in sorted(translations.items())
                    if texts.get(f"choice:{code}")
                }
                choices.append(
                    {"list_name": question.code, "name": code, f"label::{FR}": label_fr, f"label::{EN}": label_en}
                    | other
                    | properties
                )
        rows.append({"type": "end group", "name": ""})
    meta = definition["survey"]
    settings = {
        "form_title": meta["title"]["fr"],
        "form_id": survey.slug,
        "default_language": FR,
        "version": str(survey.version or 1),
        "concerto_survey": _json(meta),
    }
    return rows, choices, settings


def write_xlsform(survey: Survey) -> bytes:
    """The workbook (XlsxWriter; every cell written as text, never a formula)."""
    import xlsxwriter

    rows, choices, settings = xlsform_rows(survey)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})

    def sheet(name: str, columns: list[str], records: list[dict]) -> None:
        worksheet = book.add_worksheet(name)
        for index, column in enumerate(columns):
            worksheet.write_string(0, index, column, bold)
        for number, record in enumerate(records, start=1):
            for index, column in enumerate(columns):
                value = record.get(column, "")
                if value:
                    worksheet.write_string(number, index, str(value))
        worksheet.freeze_panes(1, 0)

    survey_columns = list(SURVEY_COLUMNS)
    for record in rows:  # the columns of other languages, after the French and English ones
        survey_columns += [key for key in record if key not in survey_columns]
    sheet("survey", survey_columns, rows)
    choice_columns = ["list_name", "name", f"label::{FR}", f"label::{EN}"]
    for record in choices:
        choice_columns += [key for key in record if key not in choice_columns]
    sheet("choices", choice_columns, choices)
    sheet("settings", list(settings), [settings])
    book.close()
    return buffer.getvalue()


def definition_json(survey: Survey) -> bytes:
    """The JSON definition (what ``export-form --format json`` writes)."""
    return json.dumps(export_definition(survey), ensure_ascii=False, indent=2).encode("utf-8")

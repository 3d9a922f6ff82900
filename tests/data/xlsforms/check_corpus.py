"""Run pyxform and Concerto's XLSForm importer over the corpus of real-world forms in this folder.

    .venv/bin/python tests/data/xlsforms/check_corpus.py [FOLDER] [--all] [--lang en|fr_CA]

For every ``.xlsx`` file (sorted by name) it prints whether pyxform converts it to an XForm
(``pyxform.xls2xform.convert``, without ODK Validate) and, for the forms pyxform accepts, whether Concerto imports
it: :func:`app.builder.xlsform.read_xlsform` then :func:`app.builder.definition.import_definition` into a
throw-away SQLite database, the same two steps as the import page and ``flask import-form``. A refused form shows
its first problem (``--all``: every problem). The tally, then the first problems and all problems grouped by cause,
close the report.

Nothing in the application is changed; the temporary database is deleted at the end. See SOURCES.md for where
each form comes from and STATUS.md for the last recorded run.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import sys
import tempfile
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]


@dataclass
class Outcome:
    name: str
    pyxform_error: str = ""
    imported: bool = False
    questions: int = 0
    problems: list[str] = field(default_factory=list)


def pyxform_error(path: Path) -> str:
    """Empty when pyxform converts the workbook; else its message on one line."""
    from pyxform.xls2xform import convert

    try:
        with (
            warnings.catch_warnings(),
            contextlib.redirect_stdout(io.StringIO()),
            contextlib.redirect_stderr(io.StringIO()),
        ):
            warnings.simplefilter("ignore")
            convert(xlsform=str(path), validate=False, pretty_print=False)
    except Exception as exc:  # pyxform raises PyXFormError, and KeyError/TypeError on some odd workbooks
        return " ".join(str(exc).split()) or type(exc).__name__
    return ""


QUOTED = re.compile(r"[“\"«]([^”\"»]*)[”\"»]")
LISTED_TYPE = re.compile(
    r"select one from|select all that apply from|begin loop|(?:select_one|select_multiple|rank)\w*", re.I
)


def cause(message: str) -> tuple[str, str]:
    """(the message without its place and particulars, its first particular) to group refusals of one kind.

    ``survey sheet, row 8, column type: The type “email” cannot be imported…`` → (``The type “…” cannot be
    imported…``, ``email``); a list or column name is kept whole, a type without its list name.
    """
    text = re.sub(r"^.*?sheet, row \d+, column [^:]*: ", "", message)
    text = re.sub(r"^(survey|choices|settings|file): ", "", text)
    quoted = QUOTED.search(text)
    particular = quoted.group(1) if quoted else ""
    if text.startswith("The type "):
        listed = LISTED_TYPE.match(particular)
        particular = listed.group(0) if listed else particular
    return re.sub(r"\d+", "N", QUOTED.sub("“…”", text)), particular


def print_causes(title: str, causes: dict[str, Counter], forms: Counter) -> None:
    """Each cause with its number of forms, then its particulars with theirs."""
    print(title)
    for text, count in forms.most_common():
        particulars = causes[text]
        print(f"  {count:3d}  {text}")
        named = ", ".join(f"{name} {count}" for name, count in particulars.most_common() if name)
        if named:
            print(f"         ({named})")


def run(folder: Path, show_all: bool, locale: str) -> list[Outcome]:
    sys.path.insert(0, str(ROOT))
    from flask_babel import force_locale

    from app import create_app
    from app.builder.definition import DefinitionInvalid, import_definition
    from app.builder.xlsform import XLSFormInvalid, read_xlsform
    from app.core.extensions import db
    from app.models import Process, ProcessStatus

    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="concerto-corpus-") as tmp:
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'corpus.db'}"})
        with app.app_context(), force_locale(locale):
            db.create_all()
            process = Process(
                slug="corpus",
                title_fr="Corpus XLSForm",
                title_en="XLSForm corpus",
                purpose_fr="Essai d'importation.",
                purpose_en="Import trial.",
                status=ProcessStatus.ACTIVE,
            )
            db.session.add(process)
            db.session.commit()
            for path in sorted(folder.glob("*.xlsx")):
                outcome = Outcome(path.name, pyxform_error=pyxform_error(path))
                outcomes.append(outcome)
                if outcome.pyxform_error:
                    print(f"{path.name}: pyxform refuses it ({outcome.pyxform_error[:160]})")
                    continue
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")  # openpyxl on styles and document properties
                        document = read_xlsform(path.read_bytes(), fallback_title=path.stem)
                    survey = import_definition(document, process, None)
                    outcome.imported, outcome.questions = True, len(survey.questions)
                except XLSFormInvalid as exc:
                    outcome.problems = [str(problem) for problem in exc.problems]
                except DefinitionInvalid as exc:
                    outcome.problems = [str(error) for error in exc.errors]
                finally:
                    db.session.rollback()
                if outcome.imported:
                    print(f"{path.name}: imported ({outcome.questions} questions)")
                    continue
                print(f"{path.name}: refused, {len(outcome.problems)} problem(s): {outcome.problems[0]}")
                if show_all:
                    for problem in outcome.problems[1:]:
                        print(f"    {problem}")
            db.session.remove()
            db.engine.dispose()
    return outcomes


def summary(outcomes: list[Outcome]) -> None:
    accepted = [o for o in outcomes if not o.pyxform_error]
    imported = [o for o in accepted if o.imported]
    print()
    print(
        f"{len(outcomes)} forms; pyxform accepts {len(accepted)}; "
        f"Concerto imports {len(imported)} of those {len(accepted)}."
    )
    refused = [o for o in accepted if o.problems]
    if not refused:
        return
    first: dict[str, Counter] = {}
    for outcome in refused:
        text, particular = cause(outcome.problems[0])
        first.setdefault(text, Counter())[particular] += 1
    print_causes("First refusal reason, by cause (forms):", first, Counter({t: c.total() for t, c in first.items()}))
    every: dict[str, Counter] = {}
    forms: Counter = Counter()
    for outcome in refused:
        pairs = {cause(problem) for problem in outcome.problems}
        forms.update({text for text, _particular in pairs})
        for text, particular in pairs:
            every.setdefault(text, Counter())[particular] += 1
    print_causes("Every refusal reason, by cause (forms in which it occurs at least once):", every, forms)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=HERE, help="folder of .xlsx forms (default: this one)")
    parser.add_argument("--all", action="store_true", help="print every problem of a refused form, not only the first")
    parser.add_argument("--lang", default="en", choices=["en", "fr_CA"], help="language of the messages (default en)")
    args = parser.parse_args()
    if not any(args.folder.glob("*.xlsx")):
        print(f"No .xlsx form in {args.folder}.", file=sys.stderr)
        return 2
    summary(run(args.folder, args.all, args.lang))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Write ``territoires_ancien_format.xls``: a small cascading territory → municipality form in French and English,
saved in the legacy Excel 97-2003 format (``.xls``), written for Concerto's tests (nothing in it is taken from
elsewhere).

The .xls is committed: CI reads it (tests/integration/test_xlsform_completion.py imports it through the import page
and answers it to the end over HTTP; tests/integration/test_xlsform.py checks what it holds). xlwt, the only library
that writes .xls, is not a dependency of Concerto: run this script in a throw-away environment when the form must
change, and commit both files:

    python3 -m venv /tmp/xlwt && /tmp/xlwt/bin/pip install xlwt==1.3.0
    /tmp/xlwt/bin/python tests/data/xlsform_fixtures/make_legacy_xls.py
"""

from __future__ import annotations

from pathlib import Path

import xlwt

HERE = Path(__file__).resolve().parent
NAME = "territoires_ancien_format.xls"

SURVEY = [
    ["type", "name", "label::Français (fr)", "label::English (en)", "required", "choice_filter", "constraint"],
    ["begin group", "lieu", "Où habitez-vous?", "Where do you live?", "", "", ""],
    ["select_one region", "region", "Votre région", "Your region", "yes", "", ""],
    [
        "select_one municipalite",
        "municipalite",
        "Votre municipalité",
        "Your municipality",
        "yes",
        "region=${region}",
        "",
    ],
    ["end group", "", "", "", "", "", ""],
    ["begin group", "famille", "Votre famille", "Your family", "", "", ""],
    [
        "integer",
        "enfants",
        "Combien d’enfants vivent avec vous?",
        "How many children live with you?",
        "yes",
        "",
        ". >= 0 and . <= 20",
    ],
    ["select_multiple services", "services", "Quels services utilisez-vous?", "Which services do you use?", "", "", ""],
    ["text", "commentaire", "Un commentaire?", "Any comment?", "", "", ""],
    ["end group", "", "", "", "", "", ""],
]
CHOICES = [
    ["list_name", "name", "label::Français (fr)", "label::English (en)", "region"],
    ["region", "capitale", "Capitale-Nationale", "Capitale-Nationale", ""],
    ["region", "estrie", "Estrie", "Eastern Townships", ""],
    ["municipalite", "quebec", "Québec", "Quebec City", "capitale"],
    ["municipalite", "saint_augustin", "Saint-Augustin-de-Desmaures", "Saint-Augustin-de-Desmaures", "capitale"],
    ["municipalite", "sherbrooke", "Sherbrooke", "Sherbrooke", "estrie"],
    ["municipalite", "magog", "Magog", "Magog", "estrie"],
    ["services", "garde", "Service de garde", "Childcare", ""],
    ["services", "loisirs", "Loisirs", "Recreation", ""],
    ["services", "sante", "CLSC", "Local health centre", ""],
]
SETTINGS = [
    ["form_title::Français (fr)", "form_title::English (en)", "form_id", "default_language"],
    ["Territoires (ancien format Excel)", "Territories (old Excel format)", "territoires-xls", "Français (fr)"],
]


def main() -> None:
    book = xlwt.Workbook(encoding="utf-8")
    for title, rows in (("survey", SURVEY), ("choices", CHOICES), ("settings", SETTINGS)):
        sheet = book.add_sheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value:
                    sheet.write(r, c, value)
    book.save(str(HERE / NAME))


if __name__ == "__main__":
    main()

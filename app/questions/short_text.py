"""Short text: one line (an occupation, a name of place), ``text`` in XLSForm."""

from flask_babel import lazy_gettext as _l

from app.models import QuestionType
from app.questions.text import TextType

SHORT_TEXTS_FR = [
    "Directrice",
    "Enseignant au primaire",
    "Responsable des ressources humaines",
    "Propriétaire",
    "Éducatrice en petite enfance",
    "Coordonnatrice",
    "Gérant de magasin",
    "Technicienne en administration",
]
SHORT_TEXTS_EN = ["Director", "Teacher", "HR manager", "Owner", "Coordinator"]


class ShortTextType(TextType):
    key = QuestionType.SHORT_TEXT
    label = _l("Short text")
    xlsform_types = ("text",)
    xlsform_aliases = ("string",)
    xlsform_order = 30

    def accepts_xlsform(self, row):
        return super().accepts_xlsform(row) and "multiline" not in row.appearance

    def synthetic_text(self, rng, english):
        return rng.choice(SHORT_TEXTS_EN if english else SHORT_TEXTS_FR)

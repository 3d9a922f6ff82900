"""Long text: several lines of free text, ``text`` with the ``multiline`` appearance in XLSForm."""

from flask_babel import lazy_gettext as _l

from app.models import QuestionType
from app.questions.base import XLSFormExportRow
from app.questions.text import TextType

SENTENCES_FR = [
    "Il manque de places en garderie dans notre secteur.",
    "Les activités d’éveil à la lecture à la bibliothèque sont très appréciées.",
    "Le transport est difficile sans voiture en milieu rural.",
    "Des horaires plus souples aideraient les familles qui travaillent de soir.",
    "On aimerait plus d’activités parents-enfants la fin de semaine.",
    "Les délais pour voir une orthophoniste sont beaucoup trop longs.",
    "L’information sur les services existants est difficile à trouver.",
    "Une halte-garderie près de l’école serait très utile.",
    "Les jeunes travaillent trop d’heures pendant l’année scolaire.",
    "Il faudrait mieux faire connaître les métiers de la formation professionnelle.",
    "Des stages en entreprise dès le secondaire motiveraient les élèves.",
    "Le coût des activités est un frein pour plusieurs familles.",
    "Merci de nous consulter, c’est important pour la région.",
    "Les services en anglais sont rares dans notre municipalité.",
    "Plus de soutien pour les nouveaux arrivants et leurs enfants.",
    "Les heures d’ouverture du CLSC ne conviennent pas aux parents qui travaillent.",
]
SENTENCES_EN = [
    "There are not enough daycare spots in our area.",
    "Reading activities at the library are very helpful.",
    "Getting to activities without a car is hard in the countryside.",
    "More services in English would help our family.",
    "Flexible hours would help parents who work evenings.",
]


class LongTextType(TextType):
    key = QuestionType.LONG_TEXT
    label = _l("Long text")
    multiline = True
    xlsform_aliases = ("text", "string")  # with the multiline appearance; listed under short text

    def accepts_xlsform(self, row):
        return super().accepts_xlsform(row) and "multiline" in row.appearance

    def to_xlsform(self, question):
        return XLSFormExportRow("text", {"appearance": "multiline"})

    def synthetic_text(self, rng, english):
        bank = SENTENCES_EN if english else SENTENCES_FR
        return " ".join(rng.sample(bank, rng.choice((1, 1, 2))))

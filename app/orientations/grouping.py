"""Suggest groups: unsupervised clustering of free-text answers for a facilitator.

Nothing here writes anything: the facilitator sees the suggested groups, their key terms and a
few representative answers, and decides what to do with them.

Pipeline:

1. Normalization, per answer in its language (French or English): redaction placeholders of both languages
   ("[nom]", "[courriel]", "[phone]"…) removed, so that texts are never grouped for having held personal
   information; lower case, ASCII apostrophes,
   elided articles removed ("l'autobus" -> "autobus"), French + English stop words and survey
   filler removed, Snowball stems of the folded (accent-free) words, so "activités" and
   "activites" are one term. Features are stems, plus pairs of neighbouring stems within a clause
   joined by at most two connectors ("service de garde", "transport en commun").
2. TF-IDF (scikit-learn) with sublinear tf; ``min_df`` 2 from 20 answers (terms used by a single
   answer are noise), growing to 10 on very large inputs. No ``max_df``: when 60% of the answers
   are about transport, "transport" must not vanish (IDF already weighs it down).
3. LSA: TruncatedSVD to at most 100 dimensions (n/8 for small inputs), rows L2-normalized.
4. Average-linkage hierarchical clustering (cosine) of a fixed sample of at most 2,000 answers,
   cut at the number of groups with the best silhouette (2 to about sqrt(n/2), at most 20); then
   every answer joins the nearest group centroid.
5. Answers far from their group centroid, groups that are too small and groups whose members are,
   on average, barely related are left unassigned rather than forced into a group.
6. Per group: key terms (features most over-represented in the group, shown as the most frequent
   original word or phrase), the answers closest to the centroid, and near-duplicates: cosine
   >= 0.9 on counts of all words and word pairs, stop words included (so "le bus est en retard"
   and "le bus n'est pas en retard" are not duplicates, but a copy with other accents, case or
   punctuation is).

Deterministic: fixed random state, answers processed in id order. Fewer than 8 usable answers are
grouped by pairwise similarity instead (connected components of cosine >= 0.3).

Importing this module imports numpy, SciPy and scikit-learn (about 1 s): import it where grouping runs
(``app.orientations.suggestions`` does, inside its functions), never from a module loaded at start-up.
"""

from __future__ import annotations

import itertools
import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

import numpy as np
import scipy.sparse as sp
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import pdist, squareform
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from app.moderation.nlp import LANGUAGES, fold, normalize_apostrophes, split_elision, stem, stop_words
from app.moderation.pii import PLACEHOLDERS

logger = logging.getLogger(__name__)

RANDOM_STATE: Final = 0
MAX_GROUPS: Final = 20
SVD_COMPONENTS: Final = 100
SELECTION_SAMPLE: Final = 2000  # items on which the number of groups is chosen
NEAR_DUPLICATE_SIMILARITY: Final = 0.9
MIN_ITEM_SIMILARITY: Final = 0.25  # cosine to the group centroid (LSA space) below which an item is unassigned
MIN_GROUP_COHESION: Final = 0.35  # mean cosine of members to their centroid below which a group is dissolved
MIN_GROUP_SHARE: Final = 0.003  # groups smaller than this share of the answers (and than 2) are dissolved
SMALL_INPUT: Final = 8  # below this many usable answers, group by pairwise similarity instead
SMALL_INPUT_SIMILARITY: Final = 0.3
KEY_TERMS_MAX: Final = 8
REPRESENTATIVES: Final = 3

# Words that say nothing about the topic of an answer.
_FILLER_WORDS: Final[str] = (
    "bonjour merci svp stp consultation oui non ok etc chose choses faire fait faut faudrait falloir devrait "
    "devraient aimerait aimerais serait seraient aiderait aideraient vraiment beaucoup trop aussi bien tres plus "
    "moins gros idée idee besoin besoins important importante pense crois trouve ans an année annees fois jour "
    "jours bon bonne chance bravo continuez félicitations plaît plait aucun aucune rien commentaire commentaires "
    "ajouter thanks thank please really would like think need needs also lot much"
)
_FILLER: Final[frozenset[str]] = frozenset(fold(word) for word in _FILLER_WORDS.split())
# Redaction placeholders of both languages: a clause break, never a word.
_PLACEHOLDER_RE = re.compile(
    "|".join(re.escape(p) for p in sorted({p for by_kind in PLACEHOLDERS.values() for p in by_kind.values()})),
    re.IGNORECASE,
)
_CLAUSE_BREAK_RE = re.compile(r"[.,;:!?()\[\]{}\n\r«»\"“”…/|•*]+")
_LETTER_WORD_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")  # "rendez-vous", "main-d'œuvre": one word
# Two content words make a phrase when adjacent or joined by these: "service de garde", "place en CPE".
_CONNECTORS: Final[frozenset[str]] = frozenset(
    {"de", "du", "des", "d", "la", "le", "l", "à", "a", "au", "aux", "en", "of"}
)
_MAX_CONNECTORS: Final = 2


@dataclass(frozen=True, slots=True)
class GroupInput:
    """One answer to group. ``id`` is the caller's identifier (e.g. the answer's primary key)."""

    id: int
    text: str
    language: Literal["fr", "en"] = "fr"


@dataclass(frozen=True, slots=True)
class SuggestedGroup:
    """A suggested group of answers. ``item_ids`` are sorted ascending."""

    item_ids: list[int]
    key_terms: list[str]
    representative_ids: list[int]
    near_duplicates: list[list[int]] = field(default_factory=list)
    size: int = 0

    def __post_init__(self) -> None:
        if self.size != len(self.item_ids):
            object.__setattr__(self, "size", len(self.item_ids))


# --- Normalization and features --------------------------------------------------------------------


class _Analyzer:
    """Turns texts into feature lists and remembers the surface forms seen for each feature."""

    def __init__(self) -> None:
        self.surfaces: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self._cache: dict[tuple[str, str], list[str]] = {}
        # (token, language) -> (offset of the word in the token, word, stem or None if not a content word)
        self._tokens: dict[tuple[str, str], tuple[int, str, str | None]] = {}
        self._folded: dict[str, str] = {}  # token as typed -> folded word without elided article

    def _token(self, token: str, language: str) -> tuple[int, str, str | None]:
        offset, word = split_elision(token)
        folded = fold(word)
        content = len(folded) >= 2 and folded not in stop_words() and folded not in _FILLER
        result = (offset, word, stem(word, language) if content else None)
        self._tokens[(token, language)] = result
        return result

    def __call__(self, text: str, language: str) -> list[str]:
        key = (text, language)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        features: list[str] = []
        tokens = self._tokens
        text = _PLACEHOLDER_RE.sub(".", text)
        for clause in _CLAUSE_BREAK_RE.split(normalize_apostrophes(text).lower()):
            previous: tuple[str, int] | None = None  # (stem, start) of the previous content word
            gap = 0
            for match in _LETTER_WORD_RE.finditer(clause):
                token = match.group()
                offset, word, stemmed = tokens.get((token, language)) or self._token(token, language)
                if stemmed is None:
                    gap += 1
                    if gap > _MAX_CONNECTORS or word not in _CONNECTORS:
                        previous = None  # "parc et modules" is no phrase; "service de garde" is
                    continue
                features.append(stemmed)
                self.surfaces[stemmed][word] += 1
                if previous is not None:
                    pair = f"{previous[0]} {stemmed}"
                    features.append(pair)
                    self.surfaces[pair][" ".join(clause[previous[1] : match.end()].split())] += 1
                previous, gap = (stemmed, match.start() + offset), 0
        self._cache[key] = features
        return features

    def all_words(self, text: str) -> list[str]:
        """Every folded word and pair of neighbouring words, stop words included: for near-duplicates."""
        folded = self._folded
        words = []
        for match in _LETTER_WORD_RE.finditer(text):
            token = match.group()
            word = folded.get(token)
            if word is None:
                word = folded[token] = fold(split_elision(token)[1])
            words.append(word)
        return words + [f"{left} {right}" for left, right in itertools.pairwise(words)]

    def surface(self, feature: str) -> str:
        """The most frequent original form of a feature; on a tie, the accented one ("activités")."""
        forms = self.surfaces.get(feature)
        if not forms:
            return feature
        return max(forms.items(), key=lambda item: (item[1], not item[0].isascii(), item[0]))[0]


def _identity(features: list[str]) -> list[str]:
    return features


def _min_df(n_items: int) -> int:
    """Terms used by a single answer only add noise: min_df 2 from 20 answers, ~0.05% above 5,000."""
    if n_items < 20:
        return 1
    return max(2, min(10, round(n_items / 2000)))


# --- Clustering ------------------------------------------------------------------------------------


def _union_find_components(n: int, pairs: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Connected components of the graph with ``n`` nodes and edges ``pairs``, each sorted."""
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in pairs:
        parent[find(i)] = find(j)
    components: defaultdict[int, list[int]] = defaultdict(list)
    for i in range(n):
        components[find(i)].append(i)
    return sorted(components.values(), key=lambda members: members[0])


def _lsa(tfidf: sp.csr_matrix) -> np.ndarray:
    """Rows in a small dense space (TruncatedSVD), L2-normalized; plain TF-IDF when already small."""
    n_items, n_features = tfidf.shape
    components = min(SVD_COMPONENTS, max(5, n_items // 8), n_items - 1, n_features - 1)
    if components < 2:
        return normalize(tfidf.toarray())
    svd = TruncatedSVD(n_components=components, algorithm="randomized", n_iter=4, random_state=RANDOM_STATE)
    return normalize(svd.fit_transform(tfidf))


def _candidate_ks(n_items: int) -> range:
    """k from 2 to about sqrt(n / 2): 5 for 50 answers, 10 for 200, MAX_GROUPS from 800."""
    return range(2, min(MAX_GROUPS, max(2, round(math.sqrt(n_items / 2)))) + 1)


def _cluster(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group label of each row and its cosine similarity to the group centroid.

    Average-linkage hierarchical clustering (cosine) of a fixed random sample of at most
    SELECTION_SAMPLE rows, cut at the k with the best silhouette; then every row joins the nearest
    group centroid (twice, centroids recomputed in between). On labelled test corpora this beat
    KMeans clearly (adjusted Rand index 0.85-0.89 against 0.6-0.7 on 1,000 and 10,000 answers) and
    does not depend on random restarts.
    """
    n_items = len(vectors)
    if n_items > SELECTION_SAMPLE:
        rng = np.random.RandomState(RANDOM_STATE)
        sample = vectors[np.sort(rng.choice(n_items, size=SELECTION_SAMPLE, replace=False))]
    else:
        sample = vectors
    distances = np.clip(pdist(sample, metric="cosine"), 0.0, 2.0)
    tree = linkage(distances, method="average")
    square = squareform(distances)
    best: tuple[float, np.ndarray] | None = None
    for k in _candidate_ks(n_items):
        labels = fcluster(tree, t=k, criterion="maxclust")
        n_labels = len(np.unique(labels))
        if n_labels < 2 or n_labels >= len(sample):
            continue
        score = float(silhouette_score(square, labels, metric="precomputed"))
        logger.debug("k=%d silhouette=%.4f", k, score)
        if best is None or score > best[0] + 1e-9:
            best = (score, labels)
    # No cut gives two groups (all answers alike): one candidate group, judged by its cohesion.
    labels = best[1] if best is not None else np.zeros(len(sample), dtype=int)
    centroids = normalize(np.vstack([sample[labels == label].mean(axis=0) for label in np.unique(labels)]))
    for _ in range(2):
        assigned = (vectors @ centroids.T).argmax(axis=1)
        centroids = normalize(
            np.vstack(
                [
                    vectors[assigned == label].mean(axis=0) if (assigned == label).any() else centroids[label]
                    for label in range(len(centroids))
                ]
            )
        )
    similarity = vectors @ centroids.T
    assigned = similarity.argmax(axis=1)
    return assigned, similarity[np.arange(n_items), assigned]


def _key_terms(matrix: sp.csr_matrix, members: np.ndarray, features: np.ndarray, analyzer: _Analyzer) -> list[str]:
    """Features most over-represented in the group, bigrams preferred to their two words."""
    inside = np.asarray(matrix[members].mean(axis=0)).ravel()
    mask = np.ones(matrix.shape[0], dtype=bool)
    mask[members] = False
    outside = np.asarray(matrix[mask].mean(axis=0)).ravel() if mask.any() else np.zeros_like(inside)
    scores = inside - outside
    chosen: list[str] = []
    for index in np.argsort(-scores, kind="stable")[: KEY_TERMS_MAX * 6]:
        if scores[index] <= 0 or len(chosen) >= KEY_TERMS_MAX:
            break
        feature = str(features[index])
        stems = feature.split(" ")
        if any(set(stems) <= set(other.split(" ")) for other in chosen):
            continue  # "garde" after "service de garde", or the same pair again
        covered = [other for other in chosen if other in stems]
        if covered:  # "service de garde" replaces "service" where it stood
            chosen[chosen.index(covered[0])] = feature
            chosen = [other for other in chosen if other not in covered[1:]]
        else:
            chosen.append(feature)
    return [analyzer.surface(feature) for feature in chosen]


def _near_duplicates(counts: sp.csr_matrix, members: np.ndarray, ids: np.ndarray) -> list[list[int]]:
    """Sets of members whose word-count vectors have cosine >= NEAR_DUPLICATE_SIMILARITY.

    Identical vectors are collapsed first, so 3,000 copies of the same answer cost one comparison.
    """
    block = counts[members]
    copies: dict[bytes, list[int]] = {}  # identical vectors -> positions in ``members``
    for position in range(len(members)):
        row = slice(block.indptr[position], block.indptr[position + 1])
        key = block.indices[row].tobytes() + np.round(block.data[row], 5).tobytes()
        copies.setdefault(key, []).append(position)
    copy_sets = list(copies.values())
    unique = block[[positions[0] for positions in copy_sets]]
    pairs: list[tuple[int, int]] = []
    chunk = 512  # bounds memory: a 512 x n dense block at a time
    for begin in range(0, len(copy_sets), chunk):
        similarity = (unique[begin : begin + chunk] @ unique.T).toarray()
        rows, cols = np.nonzero(similarity >= NEAR_DUPLICATE_SIMILARITY - 1e-6)
        pairs.extend((i, j) for i, j in zip((rows + begin).tolist(), cols.tolist(), strict=True) if i < j)
    sets = []
    for component in _union_find_components(len(copy_sets), pairs):
        positions = [position for index in component for position in copy_sets[index]]
        if len(positions) > 1:
            sets.append(sorted(int(ids[members[position]]) for position in positions))
    return sorted(sets, key=lambda duplicates: (-len(duplicates), duplicates[0]))


# --- Public API ------------------------------------------------------------------------------------


def suggest_groups(items: Sequence[GroupInput]) -> list[SuggestedGroup]:
    """Suggest groups of related answers, largest first.

    Items that fit no group well are left out (the "unassigned" remainder, see
    :func:`unassigned_ids`). Returns ``[]`` when there is nothing to group (fewer than two usable
    answers, or answers with nothing in common). Raises :class:`ValueError` on duplicate ids or
    an unknown language.
    """
    # The matrices here are small: with OpenBLAS's default of one thread per core, threads that
    # spin waiting for each other made the SVD 5-30x slower on a loaded 2-core machine (0.3 s
    # single-threaded against 1.4-12 s). The limit is process-wide for the duration of the call.
    with threadpool_limits(limits=1, user_api="blas"):
        return _suggest_groups(items)


def _suggest_groups(items: Sequence[GroupInput]) -> list[SuggestedGroup]:
    ordered = sorted(items, key=lambda item: item.id)
    ids_seen: set[int] = set()
    for item in ordered:
        if item.language not in LANGUAGES:
            raise ValueError(f"Unsupported language {item.language!r} for item {item.id}")
        if item.id in ids_seen:
            raise ValueError(f"Duplicate item id {item.id}")
        ids_seen.add(item.id)

    analyzer = _Analyzer()
    documents = [analyzer(item.text, item.language) for item in ordered]
    usable = [item for features, item in zip(documents, ordered, strict=True) if features]
    if len(usable) < 2:
        return []
    documents = [features for features in documents if features]
    ids = np.array([item.id for item in usable])
    n_items = len(documents)

    vectorizer = TfidfVectorizer(
        analyzer=_identity,
        sublinear_tf=True,
        min_df=_min_df(n_items),
        dtype=np.float32,
    )
    try:
        tfidf = vectorizer.fit_transform(documents).tocsr()
    except ValueError:  # empty vocabulary: nothing in common between the answers
        return []
    features = vectorizer.get_feature_names_out()
    counts = TfidfVectorizer(analyzer=analyzer.all_words, use_idf=False, dtype=np.float32).fit_transform(
        [item.text for item in usable]
    )
    rows = np.flatnonzero(np.diff(tfidf.indptr) > 0)  # answers with at least one shared term

    if len(rows) < SMALL_INPUT:
        vectors = normalize(tfidf[rows].toarray())
        similarity = vectors @ vectors.T
        pairs = zip(*np.nonzero(np.triu(similarity >= SMALL_INPUT_SIMILARITY, k=1)), strict=True)
        components = [np.array(c) for c in _union_find_components(len(rows), pairs) if len(c) > 1]
        return _sorted([_describe(rows[c], vectors[c], tfidf, counts, features, ids, analyzer) for c in components])

    vectors = _lsa(tfidf[rows])
    labels, similarity = _cluster(vectors)
    min_size = max(2, round(len(rows) * MIN_GROUP_SHARE))
    groups: list[SuggestedGroup] = []
    for label in np.unique(labels[labels >= 0]):
        members = np.flatnonzero(labels == label)
        if float(similarity[members].mean()) < MIN_GROUP_COHESION:
            continue  # a catch-all of loosely related answers is no group
        members = members[similarity[members] >= MIN_ITEM_SIMILARITY]
        if len(members) >= min_size:
            groups.append(_describe(rows[members], vectors[members], tfidf, counts, features, ids, analyzer))
    return _sorted(groups)


def _describe(
    members: np.ndarray,
    member_vectors: np.ndarray,
    tfidf: sp.csr_matrix,
    counts: sp.csr_matrix,
    features: np.ndarray,
    ids: np.ndarray,
    analyzer: _Analyzer,
) -> SuggestedGroup:
    """``members`` are row indices in ``tfidf``/``counts``/``ids``; ``member_vectors`` their vectors."""
    centroid = member_vectors.mean(axis=0)
    closeness = member_vectors @ (centroid / (float(np.linalg.norm(centroid)) or 1.0))
    order = sorted(range(len(members)), key=lambda i: (-round(float(closeness[i]), 6), int(ids[members[i]])))
    return SuggestedGroup(
        item_ids=sorted(int(ids[i]) for i in members),
        key_terms=_key_terms(tfidf, members, features, analyzer),
        representative_ids=[int(ids[members[i]]) for i in order[:REPRESENTATIVES]],
        near_duplicates=_near_duplicates(counts, members, ids),
        size=len(members),
    )


def _sorted(groups: list[SuggestedGroup]) -> list[SuggestedGroup]:
    return sorted(groups, key=lambda group: (-group.size, group.item_ids[0]))


def unassigned_ids(items: Sequence[GroupInput], groups: Sequence[SuggestedGroup]) -> list[int]:
    """Ids of the items that are in none of ``groups``, ascending."""
    grouped = {item_id for group in groups for item_id in group.item_ids}
    return sorted(item.id for item in items if item.id not in grouped)

"""Suggest groups (app.orientations.grouping) on a small labelled corpus of answers."""

from __future__ import annotations

from collections import Counter

import pytest

from app.orientations.grouping import GroupInput, SuggestedGroup, suggest_groups, unassigned_ids

TRANSPORT = [
    "L'autobus scolaire passe beaucoup trop tôt le matin.",
    "Le transport scolaire est trop long, mon fils passe une heure dans l'autobus.",
    "Il faudrait un autobus scolaire pour les enfants qui habitent dans les rangs.",
    "Le circuit d'autobus ne dessert pas notre secteur, on doit faire le transport nous-mêmes.",
    "Pas de transport en commun entre les villages, impossible de se déplacer sans auto.",
    "L'autobus est souvent en retard l'hiver et les enfants attendent au froid.",
    "Le trajet en autobus scolaire dure plus d'une heure pour ma fille.",
    "Une navette ou un transport collectif vers la ville aiderait les gens sans voiture.",
    "Le chauffeur d'autobus change tout le temps, le transport n'est pas fiable.",
    "Les arrêts d'autobus sont dangereux au bord de la route.",
    "Transport en commun inexistant, il faut une voiture pour se déplacer.",
]
SCHEDULES = [
    "Le service de garde ferme à 17 h, c'est trop tôt pour les parents qui travaillent.",
    "Les heures d'ouverture de la garderie ne concordent pas avec nos horaires de travail.",
    "Il faudrait une garderie ouverte le soir et la fin de semaine pour les travailleurs de quart.",
    "Le CPE ouvre à 7 h 30, mais mon horaire de travail commence à 7 h.",
    "Horaires de garde trop rigides, aucune place pour les horaires atypiques.",
    "Nous avons besoin d'un service de garde avec des heures d'ouverture prolongées.",
    "La garderie devrait ouvrir plus tôt le matin et fermer plus tard le soir.",
    "Pendant les journées pédagogiques, il n'y a aucun service de garde ouvert.",
    "Les horaires de la garderie ne conviennent pas aux parents qui travaillent de soir.",
    "Service de garde la fin de semaine : inexistant, et je travaille tous les samedis.",
    "Le service de garde scolaire ferme trop tôt, à 17 h 30, c'est un casse-tête avec mon horaire.",
]
COST = [
    "Les frais de garde sont beaucoup trop chers pour notre budget.",
    "Le coût des activités est trop élevé, on ne peut pas payer pour nos trois enfants.",
    "Les tarifs augmentent chaque année et notre salaire ne suit pas, tout coûte trop cher.",
    "Avec l'inflation, payer les frais scolaires devient impossible pour notre budget.",
    "Il faudrait une aide financière ou des tarifs réduits pour les familles à faible revenu.",
    "Le prix des inscriptions est exorbitant, 250 $ par enfant, c'est trop cher.",
    "Trop cher ! Les frais coûtent plus que mon loyer.",
    "Des subventions pour réduire le coût des frais de garde seraient bienvenues.",
    "Le matériel scolaire coûte cher, c'est difficile pour le budget d'une famille.",
    "Les tarifs devraient être moins chers pour les familles nombreuses.",
]
ACTIVITIES = [
    "Il manque d'activités sportives pour les adolescents : soccer, natation, hockey.",
    "On aimerait plus d'activités culturelles pour les enfants, comme la musique et le théâtre.",
    "Les activités parascolaires à l'école sont presque inexistantes.",
    "Des activités parents-enfants à la bibliothèque seraient super.",
    "Plus d'activités au parc du quartier, avec de nouveaux modules de jeux pour les enfants.",
    "Plus d'activités de loisirs l'été pour les jeunes, le camp de jour est complet.",
    "Offrir des activités sportives et artistiques après l'école.",
    "Les jeunes n'ont aucun endroit où se rencontrer, il faudrait une maison des jeunes avec des activités.",
    "Il faudrait des activités comme des cours de natation et de patinage pour les petits.",
    "Activités de loisirs pour toute la famille, comme du plein air et des sorties en nature.",
]
ENGLISH = [
    ("transport", "The school bus ride is way too long for young kids."),
    ("schedules", "Daycare opening hours do not match our work schedules."),
    ("cost", "Fees are too expensive for families with several children."),
    ("activities", "More sports and recreational activities for teenagers, please."),
]
# The first transport answer, copied with punctuation, case and accents changed.
DUPLICATES = [
    "L'autobus scolaire passe beaucoup trop tôt le matin!",
    "l'autobus scolaire passe beaucoup trop tot le matin",
]
NOISE = ["Merci!", "Aucun commentaire.", "Bonne chance.", "12345"]


def labelled_corpus() -> tuple[list[GroupInput], dict[int, str]]:
    rows: list[tuple[str, str, str]] = []
    for topic, texts in (("transport", TRANSPORT), ("schedules", SCHEDULES), ("cost", COST)):
        rows += [(topic, text, "fr") for text in texts]
    rows += [("activities", text, "fr") for text in ACTIVITIES]
    rows += [(topic, text, "en") for topic, text in ENGLISH]
    rows += [("transport", text, "fr") for text in DUPLICATES]
    rows += [("noise", text, "fr") for text in NOISE]
    items = [
        GroupInput(id=1000 + 7 * index, text=text, language=language) for index, (_, text, language) in enumerate(rows)
    ]
    topics = {item.id: topic for item, (topic, _, _) in zip(items, rows, strict=True)}
    return items, topics


@pytest.fixture(scope="module")
def corpus() -> tuple[list[GroupInput], dict[int, str], list[SuggestedGroup]]:
    items, topics = labelled_corpus()
    return items, topics, suggest_groups(items)


def topic_of(group: SuggestedGroup, topics: dict[int, str]) -> tuple[str, int]:
    return Counter(topics[item_id] for item_id in group.item_ids).most_common(1)[0]


@pytest.mark.parametrize("topic", ["transport", "schedules", "cost", "activities"])
def test_each_topic_mostly_lands_in_one_group_that_is_mostly_that_topic(corpus, topic: str) -> None:
    items, topics, groups = corpus
    topic_ids = {item.id for item in items if topics[item.id] == topic}
    best = max(groups, key=lambda group: len(topic_ids & set(group.item_ids)))
    assert len(topic_ids & set(best.item_ids)) > len(topic_ids) / 2, (topic, groups)
    dominant, count = topic_of(best, topics)
    assert dominant == topic
    assert count >= 0.75 * best.size


def test_groups_are_mostly_pure_and_noise_is_left_out(corpus) -> None:
    items, topics, groups = corpus
    grouped = sum(group.size for group in groups)
    pure = sum(topic_of(group, topics)[1] for group in groups)
    assert pure >= 0.85 * grouped
    assert grouped >= 0.7 * len(items)
    noise = {item.id for item in items if topics[item.id] == "noise"}
    assert noise <= set(unassigned_ids(items, groups))


def test_groups_sorted_by_size_and_consistent(corpus) -> None:
    items, _, groups = corpus
    assert 3 <= len(groups) <= 6
    assert [group.size for group in groups] == sorted((group.size for group in groups), reverse=True)
    seen: set[int] = set()
    for group in groups:
        assert group.size == len(group.item_ids) >= 2
        assert group.item_ids == sorted(group.item_ids)
        assert not seen & set(group.item_ids), "an item is in two groups"
        seen |= set(group.item_ids)
        assert len(group.representative_ids) == min(3, group.size)
        assert set(group.representative_ids) <= set(group.item_ids)
        for duplicates in group.near_duplicates:
            assert len(duplicates) >= 2
            assert set(duplicates) <= set(group.item_ids)
    assert seen <= {item.id for item in items}


def test_near_duplicates_detected(corpus) -> None:
    items, _, groups = corpus
    ids = {item.text: item.id for item in items}
    expected = sorted([ids[TRANSPORT[0]], ids[DUPLICATES[0]], ids[DUPLICATES[1]]])
    duplicate_sets = [duplicates for group in groups for duplicates in group.near_duplicates]
    assert expected in duplicate_sets
    assert all(len(duplicates) < 5 for duplicates in duplicate_sets)  # different answers are not duplicates


def test_key_terms_are_meaningful_and_readable(corpus) -> None:
    _, topics, groups = corpus
    expected_words = {
        "transport": {"autobus", "transport", "autobus scolaire", "transport en commun", "transport scolaire"},
        "schedules": {"horaires", "service de garde", "garderie", "heures d'ouverture", "horaires de travail"},
        "cost": {"cher", "frais", "frais de garde", "tarifs", "coût", "budget"},
        "activities": {"activités", "activités de loisirs", "activités sportives", "loisirs", "natation"},
    }
    for group in groups:
        assert 1 <= len(group.key_terms) <= 8
        assert len(set(group.key_terms)) == len(group.key_terms)
        topic, count = topic_of(group, topics)
        if topic in expected_words and count >= 5:
            assert len(group.key_terms) >= 5
            assert expected_words[topic] & set(group.key_terms[:3]), (topic, group.key_terms)
    all_terms = {term for group in groups for term in group.key_terms}
    assert "activités" in all_terms or "activités de loisirs" in all_terms  # accents kept for display
    assert not any(term in {"de", "le", "merci", "trop", "faudrait"} for term in all_terms)


def test_deterministic_and_independent_of_input_order() -> None:
    items, _ = labelled_corpus()
    first = suggest_groups(items)
    assert suggest_groups(items) == first
    assert suggest_groups(list(reversed(items))) == first


@pytest.mark.parametrize("count", [0, 1, 2, 5])
def test_tiny_inputs(count: int) -> None:
    items, _ = labelled_corpus()
    groups = suggest_groups(items[:count])
    assert isinstance(groups, list)
    assert len(groups) <= 1 or count == 5
    assert all(group.size >= 2 for group in groups)


def test_two_near_identical_answers_make_one_group() -> None:
    groups = suggest_groups(
        [
            GroupInput(id=1, text="L'autobus passe trop tôt le matin."),
            GroupInput(id=2, text="l'autobus passe trop tot le matin!"),
        ]
    )
    assert len(groups) == 1
    assert groups[0].item_ids == [1, 2]
    assert groups[0].near_duplicates == [[1, 2]]
    assert any("autobus" in term for term in groups[0].key_terms)


def test_five_unrelated_answers_make_no_group() -> None:
    texts = ["L'autobus est en retard.", "Les frais sont élevés.", "Merci!", "Plus de soccer.", "Internet lent."]
    assert suggest_groups([GroupInput(id=i, text=text) for i, text in enumerate(texts)]) == []


def test_answers_without_words_are_ignored() -> None:
    items = [GroupInput(id=i, text=text) for i, text in enumerate(["", "   ", "123 456", "!!!", "de la"])]
    assert suggest_groups(items) == []


def test_invalid_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="Duplicate"):
        suggest_groups([GroupInput(id=1, text="a"), GroupInput(id=1, text="b")])
    with pytest.raises(ValueError, match="language"):
        suggest_groups([GroupInput(id=1, text="Hallo", language="de")])  # type: ignore[arg-type]


def test_unassigned_ids() -> None:
    items = [GroupInput(id=i, text="x") for i in (5, 3, 9)]
    group = SuggestedGroup(item_ids=[3], key_terms=[], representative_ids=[3])
    assert group.size == 1
    assert unassigned_ids(items, [group]) == [5, 9]


def test_identical_answers_make_one_group_even_when_they_dominate() -> None:
    items = [GroupInput(id=i, text="Plus de transport en commun, svp!") for i in range(60)]
    items += [GroupInput(id=100 + i, text="Les frais de garde sont trop chers.") for i in range(6)]
    groups = suggest_groups(items)
    assert [group.size for group in groups] == [60, 6]
    assert groups[0].key_terms == ["transport en commun"]
    assert groups[0].near_duplicates == [list(range(60))]


def test_a_negated_answer_is_not_a_near_duplicate() -> None:
    texts = [
        "Le bus est en retard le matin.",
        "Le bus n'est pas en retard le matin.",
        "le bus est en retard le matin!!",
        "LE BUS EST EN RETARD LE MATIN",
    ]
    groups = suggest_groups([GroupInput(id=i, text=text) for i, text in enumerate(texts)])
    assert [group.near_duplicates for group in groups] == [[[0, 2, 3]]]

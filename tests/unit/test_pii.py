"""Personal-information detection and redaction (app.moderation.pii).

Expected spans are exact (kind and text): a facilitator reviews them, so both a miss and a
false alarm are failures.
"""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from app.moderation import pii
from app.moderation.pii import Span, detect, detect_many, placeholder, redact, redact_range


def found(text: str, language: str = "fr") -> list[tuple[str, str]]:
    return [(span.kind, span.text) for span in detect(text, language=language)]


# --- Detection: each kind ------------------------------------------------------------------------

POSITIVE = [
    # e-mail
    ("Écrivez-moi à marie.tremblay@gmail.com svp.", [("email", "marie.tremblay@gmail.com")]),
    ("Mon courriel : j.cote+ecole@videotron.ca.", [("email", "j.cote+ecole@videotron.ca")]),
    # phone
    ("Appelez au 819 555-1234 le soir.", [("phone", "819 555-1234")]),
    ("Tél. : (819) 555-1234", [("phone", "(819) 555-1234")]),
    ("Mon cell est le 819.555.1234, merci.", [("phone", "819.555.1234")]),
    ("Call me at +1 819 555 1234.", [("phone", "+1 819 555 1234")]),
    ("Sans frais : 1-800-555-1234.", [("phone", "1-800-555-1234")]),
    ("Au bureau : 819 821-8000 poste 1234.", [("phone", "819 821-8000 poste 1234")]),
    ("Mon numéro : 555-1234.", [("phone", "555-1234")]),
    # postal code
    ("Notre code postal est J1H 5N4.", [("postal_code", "J1H 5N4")]),
    ("j1x3w2 est mon code postal", [("postal_code", "j1x3w2")]),
    # address
    ("J'habite au 123, rue King Ouest à Sherbrooke.", [("address", "123, rue King Ouest")]),
    ("Nous sommes au 45 chemin du Lac depuis dix ans.", [("address", "45 chemin du Lac")]),
    ("Mon adresse : 1200 boul. de Portland, app. 4", [("address", "1200 boul. de Portland, app. 4")]),
    ("Livrez au 78, avenue de l'Église.", [("address", "78, avenue de l'Église")]),
    ("On reste au 450 rue principale depuis 2010.", [("address", "450 rue principale")]),
    ("Notre ferme est au 1234, route 143.", [("address", "1234, route 143")]),
    ("Au 12, 3e Avenue, c'est chez nous.", [("address", "12, 3e Avenue")]),
    ("I live at 12 Main Street in Lennoxville.", [("address", "12 Main Street")]),
    # names: introductions and titles
    ("Je m'appelle Marie Tremblay et j'ai deux enfants.", [("name", "Marie Tremblay")]),
    ("Bonjour, mon nom est Kassandra Nguyen.", [("name", "Kassandra Nguyen")]),
    ("je m'appelle marie tremblay", [("name", "marie tremblay")]),
    ("My name is John Smith and I live in Sherbrooke.", [("name", "John Smith")]),
    ("Mme Lavoie, l'éducatrice, est extraordinaire.", [("name", "Lavoie")]),
    ("M. Jean Tremblay et Dr Nguyen nous ont aidés.", [("name", "Jean Tremblay"), ("name", "Nguyen")]),
    ("Madame Bélanger à la réception est très gentille.", [("name", "Bélanger")]),
    ("Mme Côté a tout organisé.", [("name", "Côté")]),
    ("MME ROY NOUS A BEAUCOUP AIDÉS.", [("name", "ROY")]),
    # names: spaCy NER and first names
    ("Contactez Sophie Gagnon au besoin.", [("name", "Sophie Gagnon")]),
    ("Pierre et Julie sont venus à la rencontre.", [("name", "Pierre"), ("name", "Julie")]),
    ("Équipe formidable, Christine en particulier.", [("name", "Christine")]),
    ("Jean-François Côté de Coaticook m'a beaucoup aidé.", [("name", "Jean-François Côté")]),
    ("Merci à Kassandra Nguyen-Lapierre pour son aide.", [("name", "Kassandra Nguyen-Lapierre")]),
    ("Ma fille Léa adore son service de garde.", [("name", "Léa")]),
    ("Thanks, Sarah from Lennoxville.", [("name", "Sarah")]),
    ("merci à nathalie lavoie du cpe", [("name", "nathalie lavoie")]),
]


@pytest.mark.parametrize(("text", "expected"), POSITIVE)
def test_detects_personal_information(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


def test_all_kinds_in_one_answer_sorted_with_offsets() -> None:
    text = (
        "Je m'appelle Marie Tremblay, j'habite au 123, rue King Ouest, J1H 5N4. "
        "Courriel : marie@exemple.ca, tél. 819 555-1234."
    )
    spans = detect(text)
    assert [(span.kind, span.text) for span in spans] == [
        ("name", "Marie Tremblay"),
        ("address", "123, rue King Ouest"),
        ("postal_code", "J1H 5N4"),
        ("email", "marie@exemple.ca"),
        ("phone", "819 555-1234"),
    ]
    assert all(text[span.start : span.end] == span.text for span in spans)
    assert [span.start for span in spans] == sorted(span.start for span in spans)


def test_english_answer_detected_with_language_en() -> None:
    assert found("My name is Emily Brown, email emily.brown@example.com", language="en") == [
        ("name", "Emily Brown"),
        ("email", "emily.brown@example.com"),
    ]


# --- No personal information ------------------------------------------------------------------------

NEGATIVE = [
    "Le transport scolaire est trop long pour mes enfants.",
    "J'ai 3 enfants de 4 et 6 ans et la garderie ferme à 17 h.",
    "Les frais de 25 $ par jour sont trop élevés.",
    "Garderie trop chère, 50$ par jour.",
    "En 2023, le prix a augmenté de 15 %.",
    "Le 15 janvier 2024, nous avons eu une réunion.",
    "Horaires : lundi au vendredi, 7 h à 18 h.",
    "Il reste 1 place disponible et 2 places en juin.",
    "La route 143 et l'autoroute 10 sont dangereuses.",
    "Nous sommes 4 familles sur le rang 8.",
    "Pour les 0-5 ans, il manque de places.",
    "Appelez le 211 ou le 811 pour de l'aide.",
    "Le Centre de services scolaire des Sommets devrait offrir plus de places.",
    "À Coaticook, il manque de places en CPE.",
    "Dans Le Granit et Le Haut-Saint-François, les routes sont mauvaises l'hiver.",
    "Le Val-Saint-François et Les Sources manquent de services.",
    "Memphrémagog a besoin de plus de services.",
    "Sherbrooke est une belle ville.",
    "La Haute-Yamaska et Brome-Missisquoi sont loin.",
    "La MRC des Sources devrait investir.",
    "Bravo à toute l'équipe du CIUSSS de l'Estrie-CHUS.",
    "Desjardins et la Ville de Sherbrooke soutiennent le projet.",
    "Le CPE Les Petits Lutins est complet.",
    "L'école Marie-Reine et le Cégep de Sherbrooke sont loin.",
    "Sainte-Marie et Saint-Laurent sont des villes.",
    "Employeur : Usine Tremblay inc. à Magog.",
    "On achète nos médicaments chez Jean Coutu.",
    "Walmart, Tim Hortons et McDonald's embauchent des jeunes.",
    "Le programme Naître et grandir est utile.",
    "COÛT TROP ÉLEVÉ!!!",
    "Merci pour cette consultation, c'est apprécié.",
    "Activités parascolaires : soccer, hockey, natation.",
    "The bus is always late, please fix it.",
    "Daycare fees are too high. Summer camps are full.",
    "",
]


@pytest.mark.parametrize("text", NEGATIVE)
def test_no_personal_information(text: str) -> None:
    assert found(text) == []


# --- Overlaps ----------------------------------------------------------------------------------------


def test_email_wins_over_a_first_name_inside_it() -> None:
    assert found("Écrivez à Marie.Tremblay@gmail.com") == [("email", "Marie.Tremblay@gmail.com")]


def test_resolution_prefers_the_more_trusted_kind() -> None:
    text = "Julie 123 rue Julie-Payette"
    # A name inside an address: the address wins.
    spans = pii._resolve(text, [(14, 27, "name"), (6, 27, "address"), (0, 5, "name")])
    assert [(span.kind, span.text) for span in spans] == [("name", "Julie"), ("address", "123 rue Julie-Payette")]
    # A phone number beats a longer address it overlaps.
    spans = pii._resolve(text, [(6, 27, "address"), (6, 9, "phone")])
    assert [(span.kind, span.text) for span in spans] == [("phone", "123")]


def test_resolution_keeps_the_longer_span_of_the_same_kind() -> None:
    spans = pii._resolve("Marie Tremblay", [(0, 5, "name"), (0, 14, "name")])
    assert [(span.kind, span.text) for span in spans] == [("name", "Marie Tremblay")]


def test_spans_never_overlap() -> None:
    text = "M. Jean Tremblay, 123, rue Jean-Talon, Jean.Tremblay@exemple.ca, 819 555-1234 poste 12, Julie"
    spans = detect(text)
    assert all(left.end <= right.start for left, right in itertools.pairwise(spans))


# --- Bulk detection ------------------------------------------------------------------------------------


def test_detect_many_matches_detect() -> None:
    texts = [text for text, _ in POSITIVE[:12]] + NEGATIVE[:8] + [POSITIVE[-5][0]]
    assert detect_many(texts) == [detect(text) for text in texts]
    assert detect_many([]) == []


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language"):
        detect("Bonjour", language="de")


# --- Span ----------------------------------------------------------------------------------------------


def test_span_is_frozen_and_validated() -> None:
    span = Span(0, 5, "name", "Julie")
    with pytest.raises(dataclasses.FrozenInstanceError):
        span.start = 1  # type: ignore[misc]
    with pytest.raises(ValueError):
        Span(5, 5, "name", "")
    with pytest.raises(ValueError):
        Span(0, 5, "secret", "Julie")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Span(0, 4, "name", "Julie")


# --- Redaction -------------------------------------------------------------------------------------------


def test_redact_french_placeholders() -> None:
    text = (
        "Je m'appelle Marie Tremblay, j'habite au 123, rue King Ouest, J1H 5N4. "
        "Courriel : marie@exemple.ca, tél. 819 555-1234."
    )
    assert redact(text, detect(text)) == (
        "Je m'appelle [nom], j'habite au [adresse], [code postal]. Courriel : [courriel], tél. [téléphone]."
    )


def test_redact_english_placeholders() -> None:
    text = "My name is John Smith, call 819 555-1234 or write to john@example.com. I live at 12 Main Street, J1H 5N4."
    assert redact(text, detect(text, language="en"), language="en") == (
        "My name is [name], call [phone] or write to [email]. I live at [address], [postal code]."
    )


def test_redact_keeps_titles_outside_the_placeholder() -> None:
    text = "Mme Lavoie et Dr Nguyen sont formidables."
    assert redact(text, detect(text)) == "Mme [nom] et Dr [nom] sont formidables."


def test_redact_without_spans_returns_the_text() -> None:
    assert redact("Rien à signaler.", []) == "Rien à signaler."


def test_redact_accepts_spans_in_any_order() -> None:
    text = "Julie et Pierre"
    spans = [Span(9, 15, "name", "Pierre"), Span(0, 5, "name", "Julie")]
    assert redact(text, spans) == "[nom] et [nom]"


def test_redact_refuses_stale_or_overlapping_spans() -> None:
    with pytest.raises(ValueError, match="does not match"):
        redact("Bonjour Julie", [Span(8, 13, "name", "Marie")])
    with pytest.raises(ValueError, match="does not match"):
        redact("Julie", [Span(0, 10, "name", "Julie Roy!")])
    with pytest.raises(ValueError, match="overlaps"):
        redact("Julie Roy", [Span(0, 9, "name", "Julie Roy"), Span(6, 9, "name", "Roy")])


def test_placeholders() -> None:
    assert [placeholder(kind) for kind in pii.REDACTION_KINDS] == [
        "[courriel]",
        "[NAS]",
        "[NAM]",
        "[date de naissance]",
        "[téléphone]",
        "[code postal]",
        "[pseudonyme]",
        "[adresse]",
        "[nom]",
        "[caviardé]",
    ]
    assert [placeholder(kind, "en") for kind in ("sin", "health_card", "birth_date", "handle", "other")] == [
        "[SIN]",
        "[health card number]",
        "[date of birth]",
        "[handle]",
        "[redacted]",
    ]
    with pytest.raises(ValueError):
        placeholder("secret")


# --- Manual redaction of a selected range -------------------------------------------------------------


def test_redact_range_other_and_name() -> None:
    text = "Le bus de la famille Bouchard est en retard"
    start = text.index("Bouchard")
    end = start + len("Bouchard")
    assert redact_range(text, start, end) == "Le bus de la famille [caviardé] est en retard"
    assert redact_range(text, start, end, kind="name") == "Le bus de la famille [nom] est en retard"
    assert redact_range(text, start, end, language="en") == "Le bus de la famille [redacted] est en retard"


def test_redact_range_keeps_surrounding_whitespace_outside() -> None:
    text = "Le bus de Julie est en retard"
    assert redact_range(text, 9, 16, kind="name") == "Le bus de [nom] est en retard"


def test_redact_range_whole_text() -> None:
    assert redact_range("Julie", 0, 5, kind="name", language="en") == "[name]"


@pytest.mark.parametrize(
    ("start", "end"),
    [(-1, 3), (0, 0), (5, 3), (0, 100), (3, 4), (True, 3)],
    ids=["negative", "empty", "reversed", "past-end", "whitespace", "bool"],
)
def test_redact_range_rejects_invalid_ranges(start: int, end: int) -> None:
    with pytest.raises(ValueError):
        redact_range("Le  bus", start, end)


def test_redact_range_rejects_unknown_kind_or_language() -> None:
    with pytest.raises(ValueError):
        redact_range("Julie", 0, 5, kind="secret")
    with pytest.raises(ValueError):
        redact_range("Julie", 0, 5, language="es")


# --- Disguised text: zero-width and format characters, full-width forms ----------------------------------

DISGUISED = [
    # Zero-width space, joiner, word joiner, soft hyphen, byte-order mark inside the information.
    ("Écrivez à marie\u200b.tremblay@gmail.com svp.", [("email", "marie\u200b.tremblay@gmail.com")]),
    ("Courriel : marie@\u200dexemple\u2060.ca", [("email", "marie@\u200dexemple\u2060.ca")]),
    ("Code postal J1H\u200b 5N4, merci.", [("postal_code", "J1H\u200b 5N4")]),
    ("Appelez au 819\u00ad 555-\ufeff1234 le soir.", [("phone", "819\u00ad 555-\ufeff1234")]),
    ("Merci à Ju\u200blie pour tout.", [("name", "Ju\u200blie")]),
    # Full-width forms (a phone's keyboard in Asian languages, or typed on purpose).
    ("Mon courriel : marie＠exemple.ca", [("email", "marie＠exemple.ca")]),
    ("Ｊ１Ｈ　５Ｎ４ est notre code postal.", [("postal_code", "Ｊ１Ｈ　５Ｎ４")]),
    ("Tél. : ８１９ ５５５-１２３４", [("phone", "８１９ ５５５-１２３４")]),
    # Characters that NFKC lengthens (ligature, ellipsis) or composes (a combining accent) before the span.
    ("Enﬁn… voici : marie＠exemple.ca", [("email", "marie＠exemple.ca")]),
    ("Merci à Ame\u0301lie et à marie＠exemple.ca", [("name", "Ame\u0301lie"), ("email", "marie＠exemple.ca")]),
]


@pytest.mark.parametrize(("text", "expected"), DISGUISED)
def test_zero_width_and_full_width_characters_do_not_hide_information(text, expected) -> None:
    spans = detect(text)
    assert [(span.kind, span.text) for span in spans] == expected
    assert all(text[span.start : span.end] == span.text for span in spans)


def test_disguised_information_is_redacted_in_the_original_text() -> None:
    text = "Enﬁn… écrivez à marie\u200b＠exemple.ca ou au Ｊ１Ｈ　５Ｎ４, merci\u200b!"
    assert redact(text, detect(text)) == "Enﬁn… écrivez à [courriel] ou au [code postal], merci\u200b!"
    assert detect_many([text, "rien"]) == [detect(text), []]


# --- Quebec identifiers --------------------------------------------------------------------------------------

QUEBEC_IDENTIFIERS = [
    # Social insurance number (NAS / SIN): nine digits whose Luhn checksum holds.
    ("Mon NAS est 046 454 286, au cas où.", [("sin", "046 454 286")]),
    ("NAS : 130-692-544", [("sin", "130-692-544")]),
    ("my SIN is 193456787", [("sin", "193456787")]),
    # Health insurance number (RAMQ): 4 letters, then birth year, month (+50 for women) and day, then 2 digits.
    ("Ma carte soleil : TREM 8503 1512", [("health_card", "TREM 8503 1512")]),
    ("Numéro d'assurance maladie trem85531512.", [("health_card", "trem85531512")]),
    ("RAMQ: GAGJ-1912-3101", [("health_card", "GAGJ-1912-3101")]),
    # Dates of birth, introduced as such.
    ("Mon fils est né le 12 mars 2019.", [("birth_date", "12 mars 2019")]),
    ("Je suis née le 1er avril 1985 à Magog.", [("birth_date", "1er avril 1985")]),
    ("Date de naissance : 1985-03-12", [("birth_date", "1985-03-12")]),
    ("DDN: 12/03/1985", [("birth_date", "12/03/1985")]),
    ("Ma fille, née le 3 janv. 2020, va au CPE.", [("birth_date", "3 janv. 2020")]),
    ("I was born on March 12, 1985 in Granby.", [("birth_date", "March 12, 1985")]),
    ("Date of birth: 12 March 1985", [("birth_date", "12 March 1985")]),
    ("DOB 03/12/1985", [("birth_date", "03/12/1985")]),
    ("Ma date de naissance est le 12 mars 1985.", [("birth_date", "12 mars 1985")]),
    ("My date of birth is 1985-03-12.", [("birth_date", "1985-03-12")]),
    # Social-media handles (not e-mail addresses).
    ("Suivez-moi sur Instagram : @marie_tremblay", [("handle", "@marie_tremblay")]),
    ("Mon TikTok c'est @julie.roy22.", [("handle", "@julie.roy22")]),
    ("Écrivez à @JRoy ou à jroy@exemple.ca", [("handle", "@JRoy"), ("email", "jroy@exemple.ca")]),
]


@pytest.mark.parametrize(("text", "expected"), QUEBEC_IDENTIFIERS)
def test_detects_quebec_identifiers(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


def test_quebec_identifiers_are_redacted_with_their_placeholders() -> None:
    text = "NAS 046 454 286, carte TREM 8503 1512, née le 12 mars 1985, Instagram @marie_t."
    assert redact(text, detect(text)) == ("NAS [NAS], carte [NAM], née le [date de naissance], Instagram [pseudonyme].")


# The queue must not cry wolf: numbers that are years, amounts, counts or codes, and "@" used for "at".
NOT_IDENTIFIERS = [
    "046 454 287 est le numéro de dossier.",  # nine digits, Luhn checksum fails
    "Mon NAS est 123 456 789.",  # fails too
    "Le budget est de 130 692 544 $ sur cinq ans.",  # passes Luhn, but an amount
    "Il y a 193 456 787 $ et 12 % de plus.",
    "Population : 8 501 200 habitants en 2023.",
    "En 2019, 2020 et 2021, 150 familles sont venues.",
    "Les frais sont @ 5 $ par jour.",
    "Rendez-vous @10h au centre.",
    "On se voit @ la bibliothèque.",
    "On se voit @la bibliothèque.",
    "Le code ABCD 1234 5678 est sur la boîte.",  # month 34: no date
    "Référence WXYZ 9913 3212",  # month 13
    "Le 15 janvier 2024, nous avons eu une réunion.",
    "L'atelier du 12 mars 2024 était bien.",
    "Je suis né pour être libre, et mes enfants aussi.",
    "Je suis née en 1985 et j'ai trois enfants.",
    "La naissance de mon fils en mars a tout changé.",
    "Prix : 2019 $, payé le 12/03/2024.",
    "Born to be wild, said the song in 1968.",
    "Score 1985-03-12 in the table.",
]


@pytest.mark.parametrize("text", NOT_IDENTIFIERS)
def test_numbers_and_at_signs_that_identify_no_one(text: str) -> None:
    assert found(text) == []


def test_a_ten_digit_phone_number_is_no_sin() -> None:
    assert found("Appelez le 819 555 1234 ou le 211.") == [("phone", "819 555 1234")]


def test_every_kind_has_a_label_for_facilitators() -> None:
    from app.core.labels import REDACTION_KIND_LABELS

    assert set(REDACTION_KIND_LABELS) == set(pii.REDACTION_KINDS)

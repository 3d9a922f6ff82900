"""Synthetic, realistic French free-text answers for benchmarks and demos.

Answers of parents, employers and partner organisations to an open question of a regional
consultation ("What would improve the life of families in your territory?"). Each answer is built
from sentence templates of one main theme (sometimes two), with random slot values, and then
roughened the way real answers are: missing accents, typos, all lower case, shouting, an English
answer now and then, near-duplicates (the same person answering twice, a copied answer), and
occasionally a name, phone number, e-mail or address that moderation must catch.

Deterministic for a given ``seed``. No external data: everything is in this file.
"""

from __future__ import annotations

import random
import unicodedata

TERRITORIES = (
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
TOWNS = ("Magog", "Granby", "Cowansville", "Lac-Mégantic", "Windsor", "East Angus", "Coaticook", "Valcourt")
CHILDREN = (
    "mon fils",
    "ma fille",
    "mes enfants",
    "mes deux enfants",
    "mes trois enfants",
    "mon plus jeune",
    "ma grande",
)
AGES = ("de 4 ans", "de 6 ans", "de 8 et 10 ans", "d'âge préscolaire", "au primaire", "au secondaire", "de 2 ans")
MOMENTS = ("le matin", "le soir", "les fins de semaine", "l'été", "pendant la relâche", "l'hiver", "après l'école")
AMOUNTS = ("25 $", "40 $", "10 $ par jour", "200 $ par mois", "350 $", "15 $ de l'heure", "1 200 $ par année")
DURATIONS = ("45 minutes", "une heure", "plus d'une heure", "30 minutes", "1 h 15", "deux heures")

OPENERS = (
    "",
    "",
    "",
    "Bonjour, ",
    "Merci de nous consulter. ",
    "Comme parent, ",
    "En tant qu'employeur, ",
    "Notre organisme constate que ",
    "Selon moi, ",
    "Pour notre famille, ",
    "Dans notre secteur, ",
    "Honnêtement, ",
)
CLOSERS = (
    "",
    "",
    "",
    "",
    " Merci!",
    " Merci pour la consultation.",
    " Bonne chance dans vos travaux.",
    " C'est urgent.",
    " Ça fait des années que ça dure.",
    " J'espère que ça va changer.",
)

# Theme -> French sentence templates. Slots: {t} territory, {v} town, {c} child, {a} age, {m} moment,
# {p} amount, {d} duration.
THEMES: dict[str, tuple[str, ...]] = {
    "transport": (
        "le transport scolaire est beaucoup trop long, {c} passe {d} dans l'autobus chaque matin.",
        "il n'y a pas de transport en commun à {v}, impossible de se déplacer sans auto.",
        "l'autobus scolaire passe trop tôt, à 6 h 45 pour {c} {a}.",
        "il faudrait une navette entre les villages et {v} {m}.",
        "le circuit d'autobus ne se rend pas dans notre rang, on doit faire le transport nous-mêmes.",
        "un service de covoiturage organisé aiderait les familles sans voiture dans {t}.",
        "les routes sont dangereuses {m} et l'autobus est souvent en retard.",
        "le transport adapté est presque inexistant dans {t}.",
        "les employés n'ont pas de transport pour venir travailler à {v}, surtout {m}.",
        "offrir le transport vers les activités après l'école ferait une grande différence.",
    ),
    "horaires": (
        "les heures d'ouverture du service de garde ne concordent pas avec nos horaires de travail.",
        "la garderie ferme à 17 h, mais je finis de travailler à 17 h 30 à {v}.",
        "il n'existe aucun service de garde {m} pour les parents qui travaillent sur des quarts.",
        "le CPE devrait ouvrir plus tôt, à 6 h 30, pour les parents qui commencent tôt.",
        "les journées pédagogiques sont un casse-tête, il n'y a pas de service de garde ces jours-là.",
        "nous avons besoin de places en garderie avec des horaires atypiques dans {t}.",
        "la liste d'attente pour une place en CPE est de deux ans pour {c}.",
        "un service de garde de soir et de fin de semaine aiderait beaucoup les travailleurs.",
        "les horaires du service de garde scolaire sont trop rigides pour {c} {a}.",
        "il manque de places en garderie subventionnée à {v}.",
    ),
    "cout": (
        "les frais de garde sont trop élevés, on paie {p} de plus que prévu.",
        "le coût des activités est trop cher pour une famille avec {c}.",
        "l'inscription au camp de jour coûte {p}, c'est hors de prix.",
        "avec l'inflation, le budget des familles ne suffit plus pour payer les frais scolaires.",
        "les tarifs du transport et des sorties scolaires augmentent chaque année.",
        "il faudrait des subventions ou une aide financière pour les familles à faible revenu.",
        "le matériel scolaire coûte {p}, c'est beaucoup trop cher pour nous.",
        "des tarifs réduits pour les familles nombreuses seraient appréciés.",
        "le prix de l'épicerie et des loyers rend la vie difficile aux jeunes familles de {t}.",
        "plusieurs parents renoncent aux activités à cause du coût.",
    ),
    "activites": (
        "il manque d'activités parascolaires pour {c} {a} à {v}.",
        "on aimerait plus d'activités sportives, comme le soccer, la natation ou le hockey.",
        "les camps de jour sont complets dès l'ouverture des inscriptions.",
        "il faudrait des activités culturelles et artistiques pour les jeunes {m}.",
        "le parc et les modules de jeux de notre quartier sont en mauvais état.",
        "offrir des activités parents-enfants à la bibliothèque serait super.",
        "les adolescents n'ont aucun endroit pour se retrouver {m} dans {t}.",
        "plus d'activités de loisirs gratuites pour les familles, s'il vous plaît.",
        "la piscine municipale est fermée trop souvent, {c} adore nager.",
        "les cours de musique et de danse sont trop loin de chez nous.",
    ),
    "emploi": (
        "nous avons de la difficulté à recruter de la main-d'œuvre qualifiée à {v}.",
        "la pénurie de personnel oblige notre entreprise à réduire ses heures d'ouverture.",
        "nos employés quittent pour des salaires plus élevés dans les grands centres.",
        "il faudrait des programmes de formation adaptés aux besoins des employeurs de {t}.",
        "la rétention des travailleurs est notre plus grand défi.",
        "les jeunes quittent la région après leurs études, on manque de relève.",
        "nous aimerions embaucher des travailleurs immigrants, mais le logement manque.",
        "les stages en entreprise devraient être mieux soutenus par le cégep.",
        "plusieurs postes restent vacants depuis des mois dans notre usine.",
        "un guichet unique pour le recrutement aiderait les petites entreprises.",
    ),
    "logement": (
        "il n'y a presque aucun logement disponible à {v}, le taux d'inoccupation est à zéro.",
        "les loyers ont doublé en cinq ans dans {t}.",
        "nous cherchons un logement de trois chambres depuis six mois.",
        "il faudrait construire des logements abordables et sociaux.",
        "les nouveaux travailleurs ne trouvent pas où se loger.",
        "les logements sont en mauvais état et les propriétaires ne font pas les réparations.",
        "une coopérative d'habitation pour les familles serait une bonne idée.",
        "acheter une première maison est devenu impossible pour les jeunes familles.",
    ),
    "sante": (
        "nous n'avons pas de médecin de famille depuis trois ans.",
        "l'attente à l'urgence de {v} est beaucoup trop longue.",
        "il manque de services en santé mentale pour les jeunes {m}.",
        "les services d'orthophonie pour {c} {a} ont une liste d'attente de deux ans.",
        "le CLSC devrait offrir plus de consultations sans rendez-vous.",
        "les services de pédiatrie sont inexistants dans {t}.",
        "il faudrait plus de psychologues et de travailleurs sociaux dans les écoles.",
        "obtenir un rendez-vous avec une infirmière prend des semaines.",
    ),
    "information": (
        "on ne sait jamais quels services existent, il faudrait un site web qui regroupe tout.",
        "l'information est éparpillée entre Facebook, le journal et le site de la municipalité.",
        "une infolettre mensuelle pour les familles serait très utile.",
        "les organismes communautaires sont mal connus des nouveaux arrivants.",
        "il faudrait mieux publiciser les activités et les services offerts dans {t}.",
        "un bottin des ressources pour les parents aiderait beaucoup.",
        "la communication entre l'école et les parents est à améliorer.",
        "j'ai appris l'existence du programme trop tard, faute d'information.",
    ),
    "conciliation": (
        "la conciliation travail-famille est très difficile avec nos horaires.",
        "les employeurs devraient offrir des horaires flexibles aux parents.",
        "le télétravail deux jours par semaine nous a sauvé la vie.",
        "il faudrait des congés pour les parents quand {c} est malade.",
        "concilier le travail, l'école et les activités {m}, c'est épuisant.",
        "une banque d'heures flexible aiderait les parents à gérer les imprévus.",
        "nos employés parents ont besoin de plus de souplesse dans leurs horaires.",
        "les rendez-vous médicaux pendant les heures de travail sont un casse-tête.",
    ),
    "internet": (
        "la connexion internet est très lente dans notre rang, impossible de faire du télétravail.",
        "il n'y a pas de réseau cellulaire sur une bonne partie de la route vers {v}.",
        "les familles ont besoin d'internet haute vitesse pour les devoirs des enfants.",
        "le service internet coûte cher et coupe souvent {m}.",
        "la couverture cellulaire est un enjeu de sécurité dans {t}.",
        "sans fibre optique, les entreprises ne veulent pas s'installer ici.",
    ),
    "alimentation": (
        "la banque alimentaire de {v} ne suffit plus à la demande.",
        "il faudrait des cuisines collectives pour les familles.",
        "le programme de déjeuners à l'école est essentiel pour {c}.",
        "l'épicerie la plus proche est à {d} de route.",
        "un marché public avec des produits locaux serait apprécié dans {t}.",
        "plusieurs familles sautent des repas à la fin du mois.",
    ),
}

ENGLISH: dict[str, tuple[str, ...]] = {
    "transport": (
        "The school bus ride is way too long for my kids.",
        "There is no public transit in {v}, you need a car for everything.",
    ),
    "horaires": (
        "Daycare hours do not match our work schedules.",
        "We need evening and weekend childcare options.",
    ),
    "cout": ("Daycare fees and activity costs are too high for families.", "Summer camp is far too expensive."),
    "activites": ("There are not enough after-school activities for kids.", "We need more sports for teenagers."),
    "emploi": ("We cannot find qualified workers for our business.", "Young people leave the region after school."),
    "logement": ("There is no affordable housing available.", "Rents have doubled in five years."),
    "sante": ("We have no family doctor.", "Waiting lists for speech therapy are far too long."),
    "information": ("Information about services is hard to find.", "A single website listing all services would help."),
    "conciliation": ("Employers should offer flexible hours to parents.", "Balancing work and family is exhausting."),
    "internet": ("Internet is very slow in our area.", "There is no cell coverage on the road to {v}."),
    "alimentation": ("The food bank cannot keep up with demand.", "We need community kitchens for families."),
}

FIRST = ("Julie", "Marie", "Sophie", "Nathalie", "Pierre", "Jean-François", "Mathieu", "Isabelle", "Luc", "Karine")
LAST = ("Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin", "Bélanger")
PII_SENTENCES = (
    " Vous pouvez me joindre au 819 {n3}-{n4}.",
    " Mon courriel: {first_l}.{last_l}@gmail.com",
    " Je m'appelle {first} {last}.",
    " Merci à {first} du CPE pour son aide.",
    " J'habite au {civic}, rue King Ouest, J1H 5N4.",
    " Appelez-moi: (450) {n3}-{n4}.",
    " Mme {last} nous a beaucoup aidés.",
)

_TYPO_NEIGHBOURS = "azertyuiopqsdfghjklmwxcvbn"


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.random()
    if kind < 0.4:
        return word[:i] + word[i + 1 :]  # dropped letter
    if kind < 0.7:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # swapped letters
    return word[:i] + rng.choice(_TYPO_NEIGHBOURS) + word[i + 1 :]  # wrong letter


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        t=rng.choice(TERRITORIES),
        v=rng.choice(TOWNS),
        c=rng.choice(CHILDREN),
        a=rng.choice(AGES),
        m=rng.choice(MOMENTS),
        p=rng.choice(AMOUNTS),
        d=rng.choice(DURATIONS),
    )


def _capitalize(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def _pii(rng: random.Random) -> str:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return rng.choice(PII_SENTENCES).format(
        first=first,
        last=last,
        first_l=_strip_accents(first).lower(),
        last_l=_strip_accents(last).lower(),
        n3=rng.randrange(200, 999),
        n4=f"{rng.randrange(0, 10000):04d}",
        civic=rng.randrange(1, 3000),
    )


def _answer(theme: str, rng: random.Random) -> str:
    if rng.random() < 0.05:
        return " ".join(_fill(s, rng) for s in rng.sample(ENGLISH[theme], k=rng.randint(1, 2)))
    count = rng.choices((1, 2, 3, 4), weights=(35, 35, 20, 10))[0]
    sentences = [_fill(s, rng) for s in rng.sample(THEMES[theme], k=min(count, len(THEMES[theme])))]
    if rng.random() < 0.15:  # a second, minor theme
        other = rng.choice([name for name in THEMES if name != theme])
        sentences.append(_fill(rng.choice(THEMES[other]), rng))
    opener = rng.choice(OPENERS)
    body = " ".join(_capitalize(s) for s in sentences)
    if opener.endswith(("que ", ", ")):
        body = body[0].lower() + body[1:]
        if opener.endswith("que ") and body[0] in "aeiouéèêhl" and body[:2] not in ("le", "la", "les"):
            opener = opener[:-2] + "'"  # "constate qu'il", "qu'on"
    text = opener + body + rng.choice(CLOSERS)
    if rng.random() < 0.06:
        text += _pii(rng)
    roll = rng.random()
    if roll < 0.25:
        text = _strip_accents(text)
    elif roll < 0.33:
        text = text.lower()
    elif roll < 0.35:
        text = text.upper()
    if rng.random() < 0.3:
        words = text.split(" ")
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(words))
            words[i] = _typo(words[i], rng)
        text = " ".join(words)
    return text


def labelled_corpus(n: int, seed: int = 0) -> list[tuple[str, str]]:
    """``n`` answers as ``(theme, text)`` pairs; about 5% are near-duplicates of an earlier answer."""
    rng = random.Random(seed)
    themes = list(THEMES)
    weights = [len(THEMES[theme]) for theme in themes]  # bigger themes are more talked about
    out: list[tuple[str, str]] = []
    while len(out) < n:
        if out and rng.random() < 0.05:
            theme, text = rng.choice(out)
            edit = rng.random()
            if edit < 0.4:
                text = text.rstrip(".!") + "!"
            elif edit < 0.7:
                text = text.lower()
            else:
                text = "Je suis d'accord: " + text
            out.append((theme, text))
            continue
        theme = rng.choices(themes, weights=weights)[0]
        out.append((theme, _answer(theme, rng)))
    return out


def french_corpus(n: int, seed: int = 0) -> list[str]:
    """``n`` realistic, varied French free-text answers (some English, typos, near-duplicates)."""
    return [text for _, text in labelled_corpus(n, seed)]


if __name__ == "__main__":
    for line in french_corpus(30, seed=1):
        print(line)

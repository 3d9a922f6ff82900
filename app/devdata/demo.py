"""Idempotent demo data: the nine territories of the reference region, partner organizations, demo accounts
and the demo process. Running it again changes nothing that exists."""

import random
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from flask_babel import force_locale

from app.builder.catalog import TEMPLATE_KEYS, load_template
from app.builder.operations import change_status, create_from_template
from app.builder.slugs import slug_is_free
from app.core.extensions import db
from app.devdata.synthetic import top_up
from app.models import (
    Ballot,
    BallotOption,
    ItemSource,
    ModerationItem,
    Organization,
    ParticipationTarget,
    Phase,
    PhaseKind,
    Process,
    ProcessStatus,
    Role,
    Sector,
    Survey,
    SurveyStatus,
    Territory,
    Theme,
    User,
    VotingMethod,
    utcnow,
)
from app.moderation.items import _scan, is_open_question

TERRITORIES = [
    ("COA", "Coaticook", 120),
    ("GRA", "Le Granit", 110),
    ("HSF", "Le Haut-Saint-François", 110),
    ("VSF", "Le Val-Saint-François", 140),
    ("SOU", "Les Sources", 80),
    ("MEM", "Memphrémagog", 190),
    ("SHE", "Sherbrooke", 600),
    ("HYA", "La Haute-Yamaska", 330),
    ("BMI", "Brome-Missisquoi", 240),
]

ORGANIZATIONS = [
    ("Centre de services scolaire des Sommets", Sector.SCHOOL, "MEM"),
    ("Centre de services scolaire de la Région-de-Sherbrooke", Sector.SCHOOL, "SHE"),
    ("Centre de services scolaire des Hauts-Cantons", Sector.SCHOOL, "HSF"),
    ("Centre de services scolaire du Val-des-Cerfs", Sector.SCHOOL, "BMI"),
    ("Cégep de Granby", Sector.SCHOOL, "HYA"),
    ("Maison de la famille de Coaticook", Sector.COMMUNITY, "COA"),
    ("Carrefour jeunesse-emploi du Granit", Sector.COMMUNITY, "GRA"),
    ("Table de concertation Petite enfance des Sources", Sector.COMMUNITY, "SOU"),
    ("Ville de Sherbrooke", Sector.MUNICIPAL, "SHE"),
    ("MRC du Val-Saint-François", Sector.MUNICIPAL, "VSF"),
    ("CIUSSS de l'Estrie – CHUS", Sector.HEALTH, "SHE"),
    ("Chambre de commerce de Memphrémagog", Sector.EMPLOYER, "MEM"),
    ("Manufacturier Granby inc.", Sector.EMPLOYER, "HYA"),
    ("Services Québec – Estrie", Sector.GOVERNMENT, "SHE"),
    ("Fondation pour la persévérance scolaire", Sector.OTHER, None),
]

DEMO_USERS = [
    ("admin@demo.concerto.quebec", "Alexandra Admin", Role.ADMIN, None),
    ("animation@demo.concerto.quebec", "Félix Facilitateur", Role.FACILITATOR, None),
    ("partenaire1@demo.concerto.quebec", "Chloé Partenaire", Role.PARTNER, "Maison de la famille de Coaticook"),
    ("partenaire2@demo.concerto.quebec", "Samuel Partenaire", Role.PARTNER, "Ville de Sherbrooke"),
]

PROCESS_SLUG = "planification-2024-2028"


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    new_logins: list[tuple[str, str, str]] = field(default_factory=list)  # (role, email, clear password)
    survey_paths: list[str] = field(default_factory=list)  # public paths of the demo surveys, /s/<slug>

    def count(self, kind: str) -> None:
        self.created[kind] = self.created.get(kind, 0) + 1


def seed_demo(today: date) -> SeedReport:
    report = SeedReport()
    territories = _seed_territories(report)
    organizations = _seed_organizations(report, territories)
    _seed_users(report, organizations)
    process = _seed_process(report, territories, today)
    db.session.flush()
    _seed_targets(report, process)
    _seed_surveys(report, process)
    db.session.flush()
    _seed_ballot(report, process)
    db.session.flush()
    _seed_moderation(report, process)
    db.session.flush()
    from app.followup.demo import seed_followup  # after the vote: priorities, actions, commitments

    report.created.update({k: v for k, v in seed_followup(PROCESS_SLUG, today).items() if v})
    db.session.flush()
    _seed_events(report, process, today)
    return report


def _demo_process() -> Process | None:
    return db.session.execute(db.select(Process).filter_by(slug=PROCESS_SLUG)).scalar_one_or_none()


def _seed_events(report: SeedReport, process: Process, today: date) -> None:
    """The year of events of the demo process (app/events/demo.py)."""
    from app.events.demo import seed_events

    added = seed_events(process, today)
    if added:
        report.created["events"] = added


def _seed_territories(report: SeedReport) -> dict[str, Territory]:
    existing = {t.code: t for t in db.session.execute(db.select(Territory)).scalars()}
    for code, name, target in TERRITORIES:
        if code not in existing:
            existing[code] = Territory(code=code, name=name, population_target=target)
            db.session.add(existing[code])
            report.count("territories")
    return existing


def _seed_organizations(report: SeedReport, territories: dict[str, Territory]) -> dict[str, Organization]:
    existing = {o.name: o for o in db.session.execute(db.select(Organization)).scalars()}
    for name, sector, code in ORGANIZATIONS:
        if name not in existing:
            existing[name] = Organization(name=name, sector=sector, territory=territories.get(code))
            db.session.add(existing[name])
            report.count("organizations")
    return existing


def _seed_users(report: SeedReport, organizations: dict[str, Organization]) -> None:
    existing = set(db.session.execute(db.select(User.email)).scalars())
    for email, name, role, org_name in DEMO_USERS:
        if email in existing:
            continue
        password = secrets.token_urlsafe(12)
        user = User(email=email, name=name, role=role, organization=organizations.get(org_name) if org_name else None)
        user.set_password(password)
        db.session.add(user)
        report.count("users")
        report.new_logins.append((role.value, email, password))


def _seed_process(report: SeedReport, territories: dict[str, Territory], today: date) -> Process:
    """The demo process, created with its phases unless it exists."""
    existing = _demo_process()
    if existing is not None:
        return existing
    process = Process(
        slug=PROCESS_SLUG,
        title_fr="Planification stratégique concertée 2024-2028",
        title_en="Concerted Strategic Planning 2024-2028",
        purpose_fr=(
            "Consulter les parents, les employeurs et les partenaires des neuf territoires de la région "
            "pour définir ensemble les priorités régionales en réussite éducative pour 2024-2028."
        ),
        purpose_en=(
            "Consult parents, employers and partners across the region's nine territories to set, together, "
            "the regional priorities for educational success for 2024-2028."
        ),
        status=ProcessStatus.ACTIVE,
        territories=list(territories.values()),
    )
    # The demo sits in its consultation phase whatever day it is seeded.
    spans = [
        (
            PhaseKind.CONSULTATION,
            -30,
            30,
            "Questionnaires et ateliers auprès des parents, employeurs et partenaires.",
            "Surveys and workshops with parents, employers and partners.",
        ),
        (
            PhaseKind.SYNTHESIS,
            31,
            60,
            "Modération et regroupement des propos en orientations préliminaires.",
            "Moderation and grouping of what was said into draft orientations.",
        ),
        (
            PhaseKind.VALIDATION,
            61,
            75,
            "Vote des partenaires sur les priorités lors de l’assemblée annuelle.",
            "Partners vote on the priorities at the annual assembly.",
        ),
        (PhaseKind.LAUNCH, 76, 120, "Publication du plan et mise en œuvre.", "Publication of the plan and launch."),
    ]
    for kind, start, end, description_fr, description_en in spans:
        process.phases.append(
            Phase(
                kind=kind,
                starts_on=today + timedelta(days=start),
                ends_on=today + timedelta(days=end),
                description_fr=description_fr,
                description_en=description_en,
            )
        )
    db.session.add(process)
    report.count("processes")
    return process


def _seed_targets(report: SeedReport, process: Process) -> None:
    """Participation targets of the demo process: each territory's population target, where none is set yet."""
    existing = set(db.session.scalars(db.select(ParticipationTarget.territory_id).filter_by(process_id=process.id)))
    for territory in process.territories:
        if territory.id not in existing and territory.population_target is not None:
            db.session.add(
                ParticipationTarget(process=process, territory=territory, target=territory.population_target)
            )
            report.count("participation targets")


DEMO_BALLOT_QUESTION = "Priorités régionales 2024-2028"
DEMO_BALLOT_OPTIONS = [
    (
        "Soutenir l’éveil à la lecture et la littératie familiale dès la petite enfance",
        "Support early reading and family literacy from early childhood",
    ),
    (
        "Faciliter les transitions scolaires, de la petite enfance au secondaire",
        "Ease school transitions, from early childhood to high school",
    ),
    (
        "Favoriser la conciliation études-travail chez les jeunes",
        "Promote study-work balance among young people",
    ),
    (
        "Valoriser la formation professionnelle et les métiers en demande",
        "Promote vocational training and professions in demand",
    ),
]


def _seed_ballot(report: SeedReport, process: Process) -> None:
    """A draft ranking ballot in the demo process, ready to be opened by the facilitator."""
    exists = db.session.execute(
        db.select(Ballot.id).filter_by(process_id=process.id, question_fr=DEMO_BALLOT_QUESTION)
    ).first()
    if exists:
        return
    facilitator = db.session.execute(
        db.select(User).filter_by(email="animation@demo.concerto.quebec")
    ).scalar_one_or_none()
    ballot = Ballot(
        process=process,
        question_fr=DEMO_BALLOT_QUESTION,
        question_en="Regional priorities 2024-2028",
        description_fr=(
            "Classez les priorités proposées, de la plus importante à la moins importante pour votre organisme."
        ),
        description_en="Rank the proposed priorities, from the most to the least important for your organization.",
        method=VotingMethod.RANKING,
        created_by=facilitator,
    )
    for position, (label_fr, label_en) in enumerate(DEMO_BALLOT_OPTIONS, start=1):
        ballot.options.append(BallotOption(position=position, label_fr=label_fr, label_en=label_en))
    db.session.add(ballot)
    report.count("ballots")


def _seed_surveys(report: SeedReport, process: Process) -> None:
    """The three template questionnaires in the demo process, open, each with its public link."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        for key in TEMPLATE_KEYS:
            survey = db.session.execute(
                db.select(Survey).filter_by(process_id=process.id, template_key=key).order_by(Survey.id).limit(1)
            ).scalar_one_or_none()
            if survey is None:
                slug = load_template(key)["survey"]["slug"]
                survey = create_from_template(None, process, key, slug=slug if slug_is_free(slug) else None)
                change_status(None, survey, SurveyStatus.OPEN, utcnow())
                report.count("surveys")
            report.survey_paths.append(f"/s/{survey.slug}")


DEMO_FREE_TEXTS = [
    ("parents-0-8", "Il manque de places en garderie à Coaticook, on attend depuis un an."),
    ("parents-0-8", "Appelez-moi, Julie Tremblay, au 819-555-0142 : je peux aider pour la halte-garderie."),
    ("parents-0-8", "Plus d’activités d’éveil à la lecture à la bibliothèque le samedi matin."),
    ("parents-0-8", "Le transport vers les activités est difficile sans voiture en milieu rural."),
    ("employeurs-etudes-travail", "Des horaires flexibles pendant les examens aideraient nos jeunes employés."),
    ("employeurs-etudes-travail", "Limiter les heures de travail des élèves à 15 heures par semaine."),
    ("professions-en-demande", "Former plus d’éducatrices en petite enfance dans la région."),
    ("professions-en-demande", "Écrivez à rh@exemple-usine.ca pour les stages en usinage."),
]
DEMO_THEMES = [
    ("Accès aux services de garde", "Access to childcare"),
    ("Conciliation études-travail", "Study-work balance"),
]


def _seed_moderation(report: SeedReport, process: Process) -> None:
    """A few free-text answers waiting in the moderation queue (scanned for personal information) and two themes."""
    if db.session.execute(db.select(ModerationItem.id).filter_by(process_id=process.id)).first():
        return
    surveys = {s.template_key: s for s in db.session.scalars(db.select(Survey).filter_by(process_id=process.id))}
    items = []
    for key, text in DEMO_FREE_TEXTS:
        survey = surveys.get(key)
        question = next((q for q in survey.ordered_questions() if is_open_question(q)), None) if survey else None
        items.append(
            ModerationItem(
                process=process,
                source=ItemSource.ANSWER,
                survey_id=survey.id if survey else None,
                question_id=question.id if question else None,
                language="fr",
                text=text,
            )
        )
    _scan(items)
    db.session.add_all(items)
    for name_fr, name_en in DEMO_THEMES:
        db.session.add(Theme(process=process, name_fr=name_fr, name_en=name_en))
    report.created["moderation items"] = len(items)


def seed_responses(target: int, today: date, *, seed: int = 2024) -> int:
    """Top each open demo survey up to ``target`` synthetic responses (app/devdata/synthetic.py); returns how many were
    added. Territories get uneven weights (their population target times a seeded factor), so that some stay under
    their participation target."""
    process = _demo_process()
    if process is None:
        return 0
    rng = random.Random(seed)  # noqa: S311 - synthetic data
    targets = dict(
        db.session.execute(
            db.select(ParticipationTarget.territory_id, ParticipationTarget.target).filter_by(process_id=process.id)
        ).all()
    )
    weights = {
        t.id: (targets.get(t.id) or t.population_target or 100) * rng.uniform(0.3, 1.6) for t in process.territories
    }
    consultation = process.phase(PhaseKind.CONSULTATION)
    first_day = consultation.starts_on if consultation else today - timedelta(days=30)
    start = datetime.combine(first_day, time(8), tzinfo=UTC)
    end = max(utcnow() - timedelta(minutes=5), start + timedelta(days=1))
    added = 0
    surveys = db.session.scalars(
        db.select(Survey).filter_by(process_id=process.id, status=SurveyStatus.OPEN).order_by(Survey.id)
    )
    for survey in surveys:
        added += top_up(survey, target, seed=seed, start=start, end=end, territory_weights=weights).responses
    return added

"""The follow-up part of the demo (``seed-demo``): in the demo process, two priorities adopted at a published paper
vote, each with its evidence, collective actions with indicators, measurements and progress updates, and the
commitments of several organizations (most approved, one waiting in the moderation queue). Idempotent: nothing is
added once the demo process has an adopted orientation."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from app.core.extensions import db
from app.followup import actions as action_service
from app.followup.moderated import submit_text
from app.models import (
    Ballot,
    BallotOption,
    BallotStatus,
    Cast,
    CastSource,
    Commitment,
    CommitmentKind,
    ItemSource,
    ItemState,
    ModerationItem,
    OptionSource,
    Organization,
    Orientation,
    OrientationEvidence,
    OrientationState,
    Process,
    ProgressUpdate,
    Survey,
    Theme,
    User,
    VotingMethod,
    item_themes,
    utcnow,
)

PRIORITIES = [
    {
        "title": (
            "Soutenir l’éveil à la lecture et la littératie familiale dès la petite enfance",
            "Support early reading and family literacy from early childhood",
        ),
        "statement": (
            "Multiplier les occasions de lire en famille avant l’entrée à l’école, dans chacun des neuf territoires.",
            "More chances to read as a family before school starts, in each of the nine territories.",
        ),
        "theme": ("Éveil à la lecture", "Early reading"),
        "evidence": [
            ("parents-0-8", "Plus d’activités d’éveil à la lecture à la bibliothèque le samedi matin."),
            ("parents-0-8", "Des livres prêtés à la halte-garderie, pour les emporter à la maison."),
            ("parents-0-8", "Un atelier de lecture pour les parents qui lisent peu."),
            (None, "Proposition : trousses de lecture distribuées aux familles à la naissance."),
        ],
        "actions": [
            {
                "title": ("Trousses de lecture à la naissance", "Reading kits at birth"),
                "description": (
                    "Une trousse de livres et de conseils remise à chaque famille à la naissance d’un enfant.",
                    "A kit of books and advice given to every family when a child is born.",
                ),
                "change": (
                    "Chaque famille a des livres à la maison avant les deux ans de l’enfant.",
                    "Every family has books at home before the child turns two.",
                ),
                "lead": "CIUSSS de l'Estrie – CHUS",
                "status": "in_progress",
                "start": -120,
                "end": 240,
                "indicators": [
                    (("Trousses remises", "Kits handed out"), "trousses", "0", "1500", [(-90, "220"), (-50, "610")]),
                ],
                "updates": [
                    (-50, "610 trousses remises dans six territoires; la distribution commence à Coaticook.", True)
                ],
            },
            {
                "title": ("Samedis lecture en bibliothèque", "Reading Saturdays in libraries"),
                "description": (
                    "Des heures du conte et des haltes-garderies le samedi matin dans les bibliothèques.",
                    "Story times and drop-in daycare on Saturday mornings in libraries.",
                ),
                "change": (
                    "Plus de parents de jeunes enfants fréquentent les bibliothèques.",
                    "More parents of young children use the libraries.",
                ),
                "lead": "Maison de la famille de Coaticook",
                "status": "in_progress",
                "start": -60,
                "end": 300,
                "indicators": [
                    (("Familles participantes", "Families taking part"), "familles", "40", "300", [(-20, "95")]),
                    (("Bibliothèques participantes", "Libraries taking part"), "%", "10", "80", [(-20, "35")]),
                ],
                "updates": [
                    (-19, "Quatre bibliothèques ouvertes le samedi; 95 familles sont venues en mars.", True),
                    (-2, "Deux nouvelles bibliothèques confirmées pour l’automne.", False),
                ],
            },
        ],
        "commitments": [
            ("Maison de la famille de Coaticook", CommitmentKind.LEAD, "Nous animons les samedis lecture.", None, 400),
            ("CIUSSS de l'Estrie – CHUS", CommitmentKind.LEAD, "Remise des trousses par les infirmières.", None, None),
            ("Fondation pour la persévérance scolaire", CommitmentKind.FUNDING, "Achat des livres.", "25000", None),
            ("Ville de Sherbrooke", CommitmentKind.SPACE, "Locaux des bibliothèques municipales.", None, None),
            (
                "Centre de services scolaire des Sommets",
                CommitmentKind.EXPERTISE,
                "Conseils des orthopédagogues.",
                None,
                60,
            ),
        ],
    },
    {
        "title": (
            "Favoriser la conciliation études-travail chez les jeunes",
            "Promote study-work balance among young people",
        ),
        "statement": (
            "Que les employeurs de la région adaptent les horaires des élèves qui travaillent.",
            "Employers of the region adapt the schedules of students who work.",
        ),
        "theme": ("Conciliation études-travail", "Study-work balance"),
        "evidence": [
            ("employeurs-etudes-travail", "Des horaires flexibles pendant les examens aideraient nos jeunes employés."),
            ("employeurs-etudes-travail", "Limiter les heures de travail des élèves à 15 heures par semaine."),
            (None, "Proposition : un label pour les employeurs qui respectent les études."),
        ],
        "actions": [
            {
                "title": ("Label employeur conciliant", "Study-friendly employer label"),
                "description": (
                    "Un label pour les employeurs qui adaptent les horaires des élèves pendant les examens.",
                    "A label for employers who adapt students’ schedules during exams.",
                ),
                "change": (
                    "Les élèves qui travaillent gardent du temps pour leurs études.",
                    "Students who work keep time for their studies.",
                ),
                "lead": "Chambre de commerce de Memphrémagog",
                "status": "planned",
                "start": 30,
                "end": 400,
                "indicators": [
                    (("Employeurs labellisés", "Labelled employers"), "employeurs", "0", "120", []),
                ],
                "updates": [],
            },
        ],
        "commitments": [
            ("Chambre de commerce de Memphrémagog", CommitmentKind.LEAD, "Nous portons le label.", None, 200),
            (
                "Carrefour jeunesse-emploi du Granit",
                CommitmentKind.COMMUNICATION,
                "Diffusion auprès des jeunes.",
                None,
                None,
            ),
            ("Manufacturier Granby inc.", CommitmentKind.OTHER, "Nous testons les horaires d’examen.", None, None),
            ("Services Québec – Estrie", CommitmentKind.FUNDING, "Soutien au démarrage.", "15000", None),
        ],
    },
]
# A commitment still waiting in the moderation queue (not on the public page).
PENDING_COMMITMENT = ("Cégep de Granby", CommitmentKind.STAFF_TIME, "Deux conseillers d’orientation, un jour par mois.")
VOTE_QUESTION = ("Assemblée annuelle : priorités retenues", "Annual assembly: priorities kept")
# Paper ballots of the assembly: each a ranking of the options (0, 1 = the two priorities, 2 = the third option).
PAPER_BALLOTS = [(0, 1, 2)] * 11 + [(1, 0, 2)] * 7 + [(0, 2, 1)] * 4 + [(2, 1, 0)] * 3
OTHER_OPTION = (
    "Valoriser la formation professionnelle et les métiers en demande",
    "Promote vocational training and professions in demand",
)


def seed_followup(process_slug: str, today: date) -> dict[str, int]:
    """Seed the follow-up of the demo process; returns what was created, by kind (nothing on a second run)."""
    process = db.session.execute(sa.select(Process).filter_by(slug=process_slug)).scalar_one_or_none()
    if process is None:
        return {}
    adopted = db.session.scalar(
        sa.select(Orientation.id).where(
            Orientation.process_id == process.id, Orientation.state == OrientationState.ADOPTED
        )
    )
    if adopted is not None:
        return {}
    facilitator = db.session.scalars(sa.select(User).filter_by(email="animation@demo.concerto.quebec")).first()
    organizations = {o.name: o for o in db.session.scalars(sa.select(Organization))}
    surveys = {s.template_key: s for s in db.session.scalars(sa.select(Survey).filter_by(process_id=process.id))}
    created = {"adopted priorities": 0, "actions": 0, "commitments": 0, "progress updates": 0}
    orientations = []
    for spec in PRIORITIES:
        orientation = _priority(process, spec, surveys)
        orientations.append(orientation)
        created["adopted priorities"] += 1
        for action_spec in spec["actions"]:
            created["progress updates"] += _action(orientation, action_spec, facilitator, organizations, today)
            created["actions"] += 1
        for name, kind, text, amount, hours in spec["commitments"]:
            if name in organizations:
                _commitment(process, orientation, organizations[name], kind, text, amount, hours, approved=True)
                created["commitments"] += 1
    if PENDING_COMMITMENT[0] in organizations:
        name, kind, text = PENDING_COMMITMENT
        _commitment(process, orientations[0], organizations[name], kind, text, None, None, approved=False)
        created["commitments"] += 1
    _vote(process, orientations, facilitator)
    db.session.flush()
    return created


def _approved_item(process: Process, text: str, source: ItemSource, survey_id: int | None) -> ModerationItem:
    item = ModerationItem(
        process=process,
        source=source,
        survey_id=survey_id,
        language="fr",
        text=text,
    )
    _approve_as_is(item)
    db.session.add(item)
    return item


def _approve_as_is(item: ModerationItem) -> None:
    """A facilitator's approval of the text as it was written (nothing to redact)."""
    item.state, item.redacted_text, item.decided_at = ItemState.APPROVED, item.text, utcnow()


def _bilingual(**texts: tuple[str, str]) -> dict[str, str]:
    """The ``<name>_fr`` and ``<name>_en`` fields of (French, English) pairs of the specs above."""
    return {
        f"{name}_{language}": text
        for name, pair in texts.items()
        for language, text in zip(("fr", "en"), pair, strict=True)
    }


def _priority(process: Process, spec: dict, surveys: dict) -> Orientation:
    orientation = Orientation(
        process=process,
        state=OrientationState.ADOPTED,
        **_bilingual(title=spec["title"], statement=spec["statement"]),
    )
    db.session.add(orientation)
    items = []
    for key, text in spec["evidence"]:
        survey = surveys.get(key) if key else None
        source = ItemSource.ANSWER if key else ItemSource.CONTRIBUTION
        items.append(_approved_item(process, text, source, survey.id if survey else None))
    db.session.flush()
    theme_fr, theme_en = spec["theme"]
    theme = db.session.scalars(sa.select(Theme).filter_by(process_id=process.id, name_fr=theme_fr)).first()
    if theme is None:
        theme = Theme(process=process, name_fr=theme_fr, name_en=theme_en)
        db.session.add(theme)
        db.session.flush()
    db.session.execute(
        sa.insert(OrientationEvidence),
        [
            {"orientation_id": orientation.id, "item_id": i.id, "chosen_as_quote": n == 0, "added_at": utcnow()}
            for n, i in enumerate(items)
        ],
    )
    db.session.execute(sa.insert(item_themes), [{"item_id": i.id, "theme_id": theme.id} for i in items])
    return orientation


def _action(orientation: Orientation, spec: dict, facilitator: User | None, organizations: dict, today: date) -> int:
    lead = organizations.get(spec["lead"])
    action = action_service.create_action(
        orientation,
        facilitator,
        **_bilingual(title=spec["title"], description=spec["description"], desired_change=spec["change"]),
        lead_organization_id=lead.id if lead else None,
        status=spec["status"],
        starts_on=today + timedelta(days=spec["start"]),
        ends_on=today + timedelta(days=spec["end"]),
    )
    for (name_fr, name_en), unit, baseline, target, values in spec["indicators"]:
        indicator = action_service.add_indicator(
            action,
            facilitator,
            action.version,
            name_fr=name_fr,
            name_en=name_en,
            unit=unit,
            baseline=baseline,
            target=target,
        )
        for days, value in values:
            action_service.record_measurement(
                indicator, facilitator, measured_on=today + timedelta(days=days), value=value
            )
    lead_user = (
        db.session.scalars(sa.select(User).where(User.organization_id == lead.id).order_by(User.id)).first()
        if lead
        else None
    )
    for days, text, approved in spec["updates"]:
        update = ProgressUpdate(
            action=action,
            author=lead_user,
            organization=lead,
            posted_on=today + timedelta(days=days),
            text=text,
            language="fr",
        )
        db.session.add(update)
        update.item = _submitted(
            action.process_id, ItemSource.PROGRESS_UPDATE, lead_user, lead, text, approved=approved
        )
    # The seeded action is one that has had news (its last update), not one created today without any.
    if spec["updates"]:
        action.created_at = utcnow() + timedelta(days=spec["start"])
    return len(spec["updates"])


def _commitment(
    process: Process,
    orientation: Orientation,
    organization: Organization,
    kind: CommitmentKind,
    text: str,
    amount: str | None,
    hours: int | None,
    *,
    approved: bool,
) -> None:
    author = db.session.scalars(
        sa.select(User).where(User.organization_id == organization.id).order_by(User.id)
    ).first()
    commitment = Commitment(
        process=process,
        organization=organization,
        orientation=orientation,
        kind=kind,
        text=text,
        language="fr",
        amount=amount,
        hours=hours,
        author=author,
    )
    db.session.add(commitment)
    commitment.item = _submitted(process.id, ItemSource.COMMITMENT, author, organization, text, approved=approved)


def _submitted(
    process_id: int,
    source: ItemSource,
    author: User | None,
    organization: Organization | None,
    text: str,
    *,
    approved: bool,
) -> ModerationItem:
    """The moderation item of a partner's French text, through the follow-up's pipeline; approved as is if asked."""
    item = submit_text(
        process_id=process_id, source=source, author=author, organization=organization, language="fr", text=text
    )
    if approved:
        _approve_as_is(item)
    return item


def _vote(process: Process, orientations: list[Orientation], facilitator: User | None) -> None:
    """The assembly's published paper vote, whose two first options are the adopted priorities."""
    now = utcnow()
    ballot = Ballot(
        process=process,
        question_fr=VOTE_QUESTION[0],
        question_en=VOTE_QUESTION[1],
        method=VotingMethod.RANKING,
        status=BallotStatus.PUBLISHED,
        created_by=facilitator,
        opened_at=now - timedelta(days=200),
        closed_at=now - timedelta(days=199),
        published_at=now - timedelta(days=199),
    )
    labels = [(o.title_fr, o.title_en, o.id) for o in orientations] + [(*OTHER_OPTION, None)]
    for position, (label_fr, label_en, orientation_id) in enumerate(labels, start=1):
        ballot.options.append(
            BallotOption(
                position=position,
                label_fr=label_fr[:300],
                label_en=label_en[:300],
                orientation_id=orientation_id,
                source=OptionSource.ORIENTATION if orientation_id else OptionSource.TYPED,
            )
        )
    db.session.add(ballot)
    db.session.flush()
    options = ballot.options
    for number, order in enumerate(PAPER_BALLOTS):
        contents = {options[index].key: rank for rank, index in enumerate(order, start=1)}
        db.session.add(
            Cast(ballot_id=ballot.id, contents=contents, receipt=f"ASSEMBLEE-{number:03d}", source=CastSource.PAPER)
        )
    for option in options[: len(orientations)]:
        option.adopted, option.adopted_at, option.adopted_by = True, now, facilitator

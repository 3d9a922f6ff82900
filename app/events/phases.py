"""The phases of a process as events see them: the one place that reads them (the phases may become a list the
facilitators edit; only this module would change)."""

from dataclasses import dataclass
from datetime import date

from app.core.labels import label
from app.models import Process


@dataclass(frozen=True)
class PhaseRef:
    id: int
    name: str
    starts_on: date
    ends_on: date

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


def phases_of(process: Process) -> list[PhaseRef]:
    return [PhaseRef(p.id, label("phase", p.kind), p.starts_on, p.ends_on) for p in process.phases]


def outside_phases(process: Process, day: date) -> bool:
    """Whether ``day`` falls in none of the process's phases (a warning, never a refusal). No phases: no warning."""
    phases = phases_of(process)
    return bool(phases) and not any(phase.contains(day) for phase in phases)

"""Lifecycles (of a process, a survey, a moderation item, an orientation, a ballot, a collective action): each state
says which states it may move to, and a model's ``move_to`` asks its current state before moving
(:meth:`Lifecycle.check_move`), or fails with :class:`IllegalTransition`."""

from __future__ import annotations

import enum
from typing import Self

from app.core.errors import DomainError


class IllegalTransition(DomainError):
    """A move its lifecycle does not allow (from ``current`` to ``target``). The message names the two states for
    logs and tests; views show their own words for it."""

    def __init__(self, current: enum.Enum, target: enum.Enum) -> None:
        super().__init__(f"cannot move from {current.value} to {target.value}")
        self.current = current
        self.target = target


class Lifecycle(enum.StrEnum):
    """The states of a lifecycle, stored as their value. A state is declared as its value followed by the values of
    the states it may move to: ``OPEN = "open", "closed"`` (none: a final state)."""

    _moves: tuple[str, ...]

    def __new__(cls, value: str, *moves: str) -> Self:
        state = str.__new__(cls, value)
        state._value_ = value
        state._moves = moves
        return state

    @property
    def moves(self) -> frozenset[Self]:
        """The states this one may move to."""
        return frozenset(type(self)(value) for value in self._moves)

    def check_move(self, target: Self) -> None:
        if target not in self.moves:
            raise IllegalTransition(self, target)

    @classmethod
    def transitions(cls) -> dict[Self, frozenset[Self]]:
        """Every state and the states it may move to."""
        return {state: state.moves for state in cls}

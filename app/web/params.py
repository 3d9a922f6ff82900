"""Values of a request read safely: positive database ids (anything else is None), the edited version."""

from __future__ import annotations

from typing import Any

from flask import request


def positive_int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def positive_ints(values: list[str]) -> list[int]:
    return [n for n in (positive_int(v) for v in values) if n is not None]


def form_version() -> int | None:
    return positive_int(request.form.get("version"))

"""Numbers as people read them in the current locale (French: 12,5 % ; English: 12.5%)."""

from __future__ import annotations

from flask_babel import format_decimal, format_percent


def fmt_percent(value: float | None) -> str:
    return "—" if value is None else format_percent(value, "#,##0.#%")


def fmt_number(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return format_decimal(round(float(value), digits), "#,##0." + "#" * digits if digits else "#,##0")

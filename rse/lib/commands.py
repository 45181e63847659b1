"""Helpers for management commands."""

from datetime import date

from django.core.management.base import CommandError


def iso_date(value: str) -> date:
    """An argparse type: a day written YYYY-MM-DD, or a clear error."""
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {value}") from exc

"""Helpers for management commands."""

from argparse import ArgumentTypeError
from datetime import date


def iso_date(value: str) -> date:
    """An argparse type: a day written YYYY-MM-DD, or a one-line error (argparse shows an
    ArgumentTypeError as a usage error, anything else as a traceback)."""
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ArgumentTypeError(f"not a date (YYYY-MM-DD): {value}") from exc

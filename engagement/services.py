"""Writes of engagement besides exports (engagement/exports.py): opting out of analytics."""

from django.db import transaction

from engagement.models import AnalyticsOptOut


@transaction.atomic
def do_set_analytics_opt_out(user, opted_out: bool) -> None:
    """Counted or not from the next computation on. Not written to the activity trail: nobody but
    the person may learn who opted out."""
    if opted_out:
        AnalyticsOptOut.objects.get_or_create(user=user)
    else:
        AnalyticsOptOut.objects.filter(user=user).delete()

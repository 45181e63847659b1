"""Writes of engagement besides exports (engagement/exports.py): the analytics opt-out, objectives."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from engagement import metrics
from engagement.models import AnalyticsOptOut, Objective
from rse.trail.services import record


@transaction.atomic
def do_set_analytics_opt_out(user, opted_out: bool) -> None:
    """Counted or not from the next computation on. Not written to the activity trail: nobody but
    the person may learn who opted out."""
    if opted_out:
        AnalyticsOptOut.objects.get_or_create(user=user)
    else:
        AnalyticsOptOut.objects.filter(user=user).delete()


# --- Objectives ------------------------------------------------------------------------------------


def _check_may_set_objectives(user, community) -> None:
    from animation.permissions import can_animate
    from engagement.permissions import can_manage_company_objectives

    allowed = can_manage_company_objectives(user) or (community is not None and can_animate(user, community))
    if not allowed:
        raise PermissionDenied(_("Objectives are set by the community's animators, HR and internal communications."))


def check_create_objective(user, community, *, kpi, target, starts_on, ends_on) -> None:
    from engagement.kpis import Kpi

    _check_may_set_objectives(user, community)
    errors = metrics.period_errors(starts_on, ends_on, since_field="starts_on", until_field="ends_on")
    if kpi not in Kpi.values:
        errors["kpi"] = _("Choose an indicator from the catalogue.")
    if kpi in (Kpi.ANSWERED_24H, Kpi.ACK_RATE) and not 0 <= target <= 100:
        errors["target"] = _("A percentage is between 0 and 100.")
    elif kpi == Kpi.PULSE_NPS and not -100 <= target <= 100:
        errors["target"] = _("An NPS is between -100 and 100.")
    elif kpi != Kpi.PULSE_NPS and target < 0:
        errors["target"] = _("A count or a time is never negative.")
    elif target > 1_000_000:
        errors["target"] = _("This target is out of range.")
    if errors:
        raise ValidationError(errors)


def do_create_objective(user, community, *, kpi, target, starts_on, ends_on) -> Objective:
    check_create_objective(user, community, kpi=kpi, target=target, starts_on=starts_on, ends_on=ends_on)
    with transaction.atomic():
        objective = Objective.objects.create(
            community=community, kpi=kpi, target=target, starts_on=starts_on, ends_on=ends_on, created_by=user
        )
        record(
            "engagement.objective_created",
            actor=user,
            obj=objective,
            community_id=community.pk if community else None,
            kpi=kpi,
        )
    return objective


@transaction.atomic
def do_delete_objective(user, objective) -> None:
    # Who may set it may delete it, whatever it holds (one stored before today's rules too).
    _check_may_set_objectives(user, objective.community)
    objective.delete()

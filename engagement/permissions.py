"""Who may see which engagement figures. Views, API, tasks and the command line all ask here."""

from rse.accounts.roles import Role, has_role, is_administrator


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_export(user) -> bool:
    """HR exports: HR analysts and administrators only."""
    return _active(user) and (is_administrator(user) or has_role(user, Role.HR_ANALYST))


def can_see_all_dashboards(user) -> bool:
    """Company, org unit and site dashboards, every community's: HR analysts, internal
    communications and administrators. Animators see only their own communities' figures."""
    return _active(user) and (is_administrator(user) or has_role(user, Role.HR_ANALYST, Role.INTERNAL_COMMS))


def can_manage_export(user, export) -> bool:
    """An export's page, progress and file: whoever asked for it, and administrators."""
    return can_export(user) and (is_administrator(user) or export.requested_by_id == user.pk)


def can_read_works_council_page(user) -> bool:
    return _active(user) and (is_administrator(user) or has_role(user, Role.STAFF_REPRESENTATIVE))


def can_manage_company_objectives(user) -> bool:
    return _active(user) and (is_administrator(user) or has_role(user, Role.HR_ANALYST, Role.INTERNAL_COMMS))

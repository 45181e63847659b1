"""Who may do what in the business repository. Seeing an item is decided by
selectors.visible_items (the one door); these predicates assume the item is visible."""

from rse.accounts.roles import is_administrator


def can_create_item(user) -> bool:
    # One shared repository: every employee may add the item that is missing.
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_edit_item(user, item) -> bool:
    """Owners, the creator and administrators edit an item; the history says who did what."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_administrator(user) or (item.created_by_id is not None and item.created_by_id == user.pk):
        return True
    owner_ids = getattr(item, "_owner_ids", None)
    if owner_ids is None:
        owner_ids = set(item.owners.values_list("pk", flat=True))
    return user.pk in owner_ids


def can_restrict_item(user, item=None) -> bool:
    """Restricting an item to groups hides it from everybody else: administrators and owners only."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_administrator(user):
        return True
    return item is not None and can_edit_item(user, item)


def can_add_document(user, item) -> bool:
    # Anyone who can see the item can share a document or a newer version of it.
    return bool(getattr(user, "is_authenticated", False))


def can_sync_items(user) -> bool:
    """CSV import and API upsert: administrators, or accounts given repository.change_item
    (the service account of the CRM/ERP)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return is_administrator(user) or user.has_perm("repository.change_item")

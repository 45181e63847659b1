"""The repository's event types (rse.lib.events.define_event), sent to `item.<id>`."""

from rse.lib.events import define_event

ITEM_CREATED = define_event("repository.item_created", "item_id")
ITEM_UPDATED = define_event("repository.item_updated", "item_id")

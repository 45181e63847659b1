"""The directory's event types (rse.lib.events.define_event), sent to `user.<id>`."""

from rse.lib.events import define_event

PROFILE_UPDATED = define_event("directory.profile_updated", "user_id")
ENDORSED = define_event("directory.endorsed", "by skill_id")
FOLLOWED = define_event("directory.followed", "follower")

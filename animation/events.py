"""The animators' event types (rse.lib.events.define_event); realtime.js lists them as PASSIVE:
pages of the Animate space reload their queue, the browser needs nothing more."""

from rse.lib.events import define_event

SCHEDULED_POST_PUBLISHED = define_event(
    "animation.scheduled_post_published",
    "scheduled_post_id post_id community_id",
    doc="to the author's group: a post they scheduled is out",
)
PULSE_ANSWERED = define_event(
    "animation.pulse_answered",
    "pulse_id community_id responses",
    doc="to the pulse's author: one more answer (a count, never who or what)",
)

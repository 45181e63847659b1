"""Engagement's event types (rse.lib.events.define_event); realtime.js lists them as PASSIVE (the
export page polls its job), integrations sends `export.ready` to administrators' webhooks."""

from rse.lib.events import define_event

EXPORT_READY = define_event(
    "engagement.export_ready",
    "export_id",
    doc="to the requester: an HR export is written and can be downloaded",
)

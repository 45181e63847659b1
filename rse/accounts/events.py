"""The accounts' event types (rse.lib.events.define_event).

`accounts.session_ended` goes to `user.<id>` when a person logs out, is deactivated or
anonymised, or changes their password: every websocket of that person re-checks its own
session and closes (code 4401, which static/js/realtime.js never reconnects after) unless the
session it was opened with is still valid. `session` (a fingerprint, never the key itself)
names the one session a logout ended, so its sockets close even before the session row is gone.
"""

from rse.lib.events import define_event

SESSION_ENDED = define_event(
    "accounts.session_ended",
    "reason",
    optional="session",
    doc="reason: logout, deactivated, password_changed or anonymised; session: fingerprint of the ended session",
)

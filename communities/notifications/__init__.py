"""Notifications: the bell, preferences, mutes, e-mails and digests, fanned out in Celery.

Other services call `services.enqueue_notifications(kind, recipient_ids, actor_id=…, post_id=…)`
inside their transaction (it goes through the outbox and is sent after the commit); everything else (preferences, mutes, access re-check,
dedupe, e-mail, realtime bell) happens here.
"""

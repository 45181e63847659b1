"""Notifications: the bell, preferences, mutes, e-mails and digests, fanned out in Celery.

Other services call `services.enqueue_notifications(kind, recipient_ids, actor_id=…, post_id=…)`
after their transaction commits; everything else (preferences, mutes, access re-check,
dedupe, e-mail, realtime bell) happens here.
"""

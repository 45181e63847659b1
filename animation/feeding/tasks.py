"""Feeding's Celery tasks: take ids, idempotent (slot, question, period claimed), acks_late."""

from celery import shared_task

from animation.feeding import services

RETRY = {"autoretry_for": (Exception,), "retry_backoff": True, "retry_backoff_max": 600, "max_retries": 5}


@shared_task(name="animation.feeding.publish_due_prompts", acks_late=True)
def publish_due_prompts_task():
    """Every 5 minutes: the prompt of the week of each community whose slot has come."""
    due = services.due_prompt_community_ids()
    for community_id in due:
        publish_due_prompt_task.delay(community_id)
    return len(due)


@shared_task(name="animation.feeding.publish_due_prompt", acks_late=True, **RETRY)
def publish_due_prompt_task(community_id):
    post = services.do_publish_due_prompt(community_id)
    return post.pk if post else None


@shared_task(name="animation.feeding.nudge_questions", acks_late=True)
def nudge_questions_task():
    """Every 15 minutes: unanswered questions past their community's delay."""
    due = services.due_nudge_question_ids()
    for post_id in due:
        nudge_question_task.delay(post_id)
    return len(due)


@shared_task(name="animation.feeding.nudge_question", acks_late=True, **RETRY)
def nudge_question_task(post_id):
    return len(services.do_nudge_question(post_id))


@shared_task(name="animation.feeding.send_welcome", acks_late=True, **RETRY)
def send_welcome_task(community_id, user_id):
    return services.do_send_welcome(community_id, user_id)


@shared_task(name="animation.feeding.send_digests", acks_late=True)
def send_digests_task():
    """Hourly: the daily and weekly digests of the subscribers whose period has come and whose
    digest of that period is not claimed yet."""
    due = services.due_digest_user_ids()
    for user_id, period in due:
        send_digest_task.delay(user_id, period)
    return len(due)


@shared_task(name="animation.feeding.send_digest", acks_late=True, **RETRY)
def send_digest_task(user_id, period):
    return services.do_send_periodic_digest(user_id, period)


@shared_task(name="animation.feeding.close_expired_pulses", acks_late=True)
def close_expired_pulses_task():
    return services.do_close_expired_pulses()

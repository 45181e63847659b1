from celery import shared_task

from engagement.exports import do_purge_expired_exports, run_export


@shared_task(acks_late=True)
def run_export_task(export_id: int) -> None:
    """Compute one HR export. Idempotent: only a QUEUED export is claimed, and a worker that died
    under it leaves a stalled job that beat queues again (rse/lib/jobs.py)."""
    run_export(export_id)


@shared_task(acks_late=True)
def purge_expired_exports() -> int:
    """Daily: export files are kept RSE_ENGAGEMENT_EXPORT_DAYS days."""
    return do_purge_expired_exports()


@shared_task(acks_late=True)
def roll_up_activity(lookback: bool = False) -> dict:
    """Every quarter of an hour: roll up what came since the last run (engagement/rollup.py);
    nightly with `lookback`, the last days again. Idempotent: a re-run, or two at once, leave the
    same rows."""
    from engagement.rollup import roll_up

    result = roll_up(lookback=lookback)
    return {k: str(v) for k, v in result.items()}

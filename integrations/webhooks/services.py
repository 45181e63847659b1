"""Webhooks: registering endpoints, turning events into deliveries, attempting them.

Flow: a service publishes an event (rse/lib/events.py) → `on_event`, inside its transaction,
writes one outbox row when some active endpoint listens to that event (a cached set of names:
no query on most requests; with a per-process cache, another process sees a new endpoint within
a minute) → after the commit, the `dispatch` task finds the endpoints allowed
to hear it, builds the JSON once and writes one Delivery per endpoint → the `deliver` task makes
attempt n (claimed by number, so a task run twice sends once), logs it, and on failure queues
attempt n+1 after RSE_WEBHOOK_RETRY_DELAYS[n-1] seconds (about 24 h in all). An endpoint whose
attempts have all failed for RSE_WEBHOOK_DISABLE_AFTER seconds is disabled and its owner told.
"""

import json
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from communities.notifications.emails import absolute, language_of
from integrations.webhooks import catalogue, network, signing
from integrations.webhooks.models import Delivery, DeliveryAttempt, Endpoint, new_secret
from integrations.webhooks.permissions import can_manage_webhooks, may_receive
from rse.lib.outbox import enqueue_on_commit

logger = logging.getLogger(__name__)

SUBSCRIBED_KEY = "integrations:webhooks:subscribed"
DISPATCH = "integrations.webhooks.dispatch"
DELIVER = "integrations.webhooks.deliver"


# --- Endpoints ------------------------------------------------------------------------------


def _forget_subscriptions() -> None:
    transaction.on_commit(lambda: cache.delete(SUBSCRIBED_KEY))


def check_endpoint(user, *, url, events, community=None) -> None:
    """What registering an endpoint, or changing one, requires."""
    if community is None and not can_manage_webhooks(user, None):
        raise PermissionDenied(_("Only administrators register site-wide webhooks: choose one of your communities."))
    if not can_manage_webhooks(user, community):
        raise PermissionDenied(_("Only administrators, and a community's owners, register webhooks."))
    events = list(events or [])
    unknown = [e for e in events if e not in catalogue.EVENTS]
    if not events or unknown:
        raise ValidationError({"events": _("Choose at least one event among the known ones.")})
    if community is not None and any(catalogue.EVENTS[e].site_wide for e in events):
        raise ValidationError({"events": _("Business item events are for site-wide endpoints only.")})
    try:
        network.check_url(url)
    except ValidationError as exc:
        raise ValidationError({"url": exc.messages}) from exc


@transaction.atomic
def do_create_endpoint(user, *, url, events, community=None, description="") -> Endpoint:
    check_endpoint(user, url=url, events=events, community=community)
    endpoint = Endpoint.objects.create(
        url=url, events=sorted(set(events)), community=community, created_by=user, description=description or ""
    )
    _forget_subscriptions()
    return endpoint


@transaction.atomic
def do_update_endpoint(user, endpoint, *, url=None, events=None, description=None) -> Endpoint:
    """Change an endpoint's address, events or description (its scope stays: register another
    endpoint for another community). What is not given stays as it is."""
    url = endpoint.url if url is None else url
    events = endpoint.events if events is None else events
    check_endpoint(user, url=url, events=events, community=endpoint.community)
    endpoint.url, endpoint.events = url, sorted(set(events))
    if description is not None:
        endpoint.description = description
    endpoint.save(update_fields=["url", "events", "description", "updated_at"])
    _forget_subscriptions()
    return endpoint


@transaction.atomic
def do_rotate_secret(user, endpoint) -> Endpoint:
    """A new signing secret (the old one leaked, or a yearly rotation): deliveries from now on are
    signed with it only, the receiver must be given it at once."""
    if not can_manage_webhooks(user, endpoint.community):
        raise PermissionDenied
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "updated_at"])
    return endpoint


@transaction.atomic
def do_set_endpoint_active(user, endpoint, active: bool) -> Endpoint:
    if not can_manage_webhooks(user, endpoint.community):
        raise PermissionDenied
    if active:
        try:
            network.check_url(endpoint.url)
        except ValidationError as exc:
            raise ValidationError({"url": exc.messages}) from exc
    endpoint.is_active = active
    endpoint.failing_since = None
    endpoint.disabled_at = None if active else timezone.now()
    endpoint.disabled_reason = "" if active else _("Disabled by %(name)s.") % {"name": user.display_name}
    endpoint.save(update_fields=["is_active", "failing_since", "disabled_at", "disabled_reason", "updated_at"])
    _forget_subscriptions()
    return endpoint


@transaction.atomic
def do_delete_endpoint(user, endpoint) -> None:
    if not can_manage_webhooks(user, endpoint.community):
        raise PermissionDenied
    endpoint.delete()
    _forget_subscriptions()


# --- From events to deliveries ----------------------------------------------------------------


def subscribed_event_names() -> set[str]:
    names = cache.get(SUBSCRIBED_KEY)
    if names is None:
        names = set()
        for events in Endpoint.objects.filter(is_active=True).values_list("events", flat=True):
            names.update(events or [])
        cache.set(SUBSCRIBED_KEY, names, timeout=60)
    return names


def on_event(event_type: str, payload: dict) -> None:
    """rse.lib.events listener, in the publishing transaction: queue a dispatch if anyone listens."""
    events = catalogue.BY_SOURCE.get(event_type)
    if not events:
        return
    if not {e.name for e in events} & subscribed_event_names():
        return
    data = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    enqueue_on_commit(DISPATCH, event_type, data, f"msg_{uuid.uuid4().hex}")


def _body(name: str, data: dict) -> str:
    envelope = {"type": name, "timestamp": timezone.now().isoformat(), "data": data}
    return json.dumps(envelope, cls=DjangoJSONEncoder, separators=(",", ":"))


@transaction.atomic
def _create_deliveries(endpoints, name, message_id, body, community_id) -> None:
    for endpoint in endpoints:
        delivery, _created = Delivery.objects.get_or_create(
            endpoint=endpoint,
            message_id=message_id,
            defaults={"event_type": name, "body": body, "community_id": community_id},
        )
        if delivery.status == Delivery.Status.PENDING and delivery.attempts == 0:
            enqueue_on_commit(DELIVER, delivery.pk, 1)


def dispatch(event_type: str, payload: dict, message_id: str) -> int:
    """One Delivery per endpoint allowed to hear this event; returns how many (run twice: none more)."""
    count = 0
    for index, event in enumerate(catalogue.BY_SOURCE.get(event_type, ())):
        community_id = event.community_of(payload)
        candidates = [
            e
            for e in Endpoint.objects.filter(is_active=True).select_related("created_by")
            if event.name in (e.events or []) and (e.community_id is None or e.community_id == community_id)
        ]
        endpoints = [e for e in candidates if may_receive(e, community_id)]
        if not endpoints:
            continue
        data = event.data(payload)
        if data is None:
            continue
        # One message id per public event: an internal event feeding two public ones sends two.
        suffix = f"_{index}" if index else ""
        _create_deliveries(endpoints, event.name, message_id + suffix, _body(event.name, data), community_id)
        count += len(endpoints)
    return count


@transaction.atomic
def do_send_test(user, endpoint) -> Delivery:
    if not can_manage_webhooks(user, endpoint.community):
        raise PermissionDenied
    data = {"endpoint_id": endpoint.pk, "message": "Hello from RSE: this endpoint receives signed webhooks."}
    delivery = Delivery.objects.create(
        endpoint=endpoint,
        message_id=f"msg_{uuid.uuid4().hex}",
        event_type=catalogue.TEST,
        body=_body(catalogue.TEST, data),
    )
    enqueue_on_commit(DELIVER, delivery.pk, 1)
    return delivery


# --- Attempts --------------------------------------------------------------------------------


def _delay_after(attempt: int):
    delays = settings.RSE_WEBHOOK_RETRY_DELAYS
    return delays[attempt - 1] if attempt <= len(delays) else None


def attempt(delivery_id: int, number: int):
    """Attempt `number` of a delivery. Returns the seconds before the next attempt, or None."""
    now = timezone.now()
    claimed = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING, attempts=number - 1).update(
        attempts=number, next_attempt_at=None
    )
    if not claimed:
        return None  # done, given up, or this attempt was already made by another run
    delivery = Delivery.objects.select_related("endpoint__created_by").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if delivery.event_type != catalogue.TEST:
        refusal = None
        if not endpoint.is_active:
            refusal = _("The endpoint is disabled.")
        elif not may_receive(endpoint, delivery.community_id):
            refusal = _("Whoever registered this endpoint may no longer receive this event.")
        if refusal:
            Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.FAILED)
            DeliveryAttempt.objects.create(delivery=delivery, number=number, error=refusal)
            return None
    body = delivery.body.encode()
    status_code = ms = None
    error = excerpt = ""
    try:
        response = network.post(endpoint.url, body, signing.headers(endpoint.secret, delivery.message_id, body))
        status_code, ms, excerpt = response.status, response.ms, response.excerpt
    except ValidationError as exc:
        error = " ".join(exc.messages)
    except Exception as exc:  # any network failure is a failed attempt, retried later
        error = f"{type(exc).__name__}: {exc}"
    ok = status_code is not None and 200 <= status_code < 300
    if status_code is not None and not ok:
        error = _("HTTP status %(code)s") % {"code": status_code}
    DeliveryAttempt.objects.create(
        delivery=delivery, number=number, status_code=status_code, response_ms=ms,
        error=error[:300], response_excerpt=excerpt[:500],
    )  # fmt: skip
    changes = {"last_status_code": status_code, "last_response_ms": ms}
    if ok:
        Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.DELIVERED, delivered_at=now, **changes)
        Endpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=False).update(failing_since=None)
        return None
    delay = _delay_after(number)
    if delay is None or delivery.event_type == catalogue.TEST:
        Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.FAILED, **changes)
    else:
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=now + timedelta(seconds=delay), **changes)
    _endpoint_failed(endpoint, now)
    return None if delivery.event_type == catalogue.TEST else delay


def _endpoint_failed(endpoint, now) -> None:
    Endpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=now)
    limit = now - timedelta(seconds=settings.RSE_WEBHOOK_DISABLE_AFTER)
    disabled = Endpoint.objects.filter(pk=endpoint.pk, is_active=True, failing_since__lte=limit).update(
        is_active=False, disabled_at=now, disabled_reason=_("Every delivery failed for 24 hours.")
    )
    if disabled:
        cache.delete(SUBSCRIBED_KEY)
        _tell_owner_disabled(endpoint)


def _tell_owner_disabled(endpoint) -> None:
    owner = endpoint.created_by
    if not owner.email:
        return
    with translation.override(language_of(owner)):
        subject = _("Webhook disabled: %(url)s") % {"url": endpoint.url}
        body = _(
            "Every delivery to %(url)s failed for 24 hours, so RSE stopped sending to it.\n"
            "See the delivery log and enable it again once it answers: %(link)s"
        ) % {"url": endpoint.url, "link": absolute(reverse("integrations:webhook_detail", args=[endpoint.pk]))}
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [owner.email])
    except Exception:  # the page says it too; a mail server down must not undo the disabling
        logger.warning("could not tell %s that webhook %s was disabled", owner.pk, endpoint.pk, exc_info=True)


def due_deliveries(grace_seconds: int = 120):
    """Pending deliveries whose next attempt is overdue (a lost countdown task, a broker that was
    down): the beat queues them again; the attempt number keeps that idempotent."""
    limit = timezone.now() - timedelta(seconds=grace_seconds)
    return Delivery.objects.filter(status=Delivery.Status.PENDING).filter(
        next_attempt_at__lte=limit
    ) | Delivery.objects.filter(status=Delivery.Status.PENDING, attempts=0, created_at__lte=limit)


def purge_old_deliveries() -> int:
    limit = timezone.now() - timedelta(days=settings.RSE_WEBHOOK_KEEP_DAYS)
    old = Delivery.objects.filter(created_at__lt=limit).exclude(status=Delivery.Status.PENDING)
    deleted, _by_model = old.delete()
    return deleted

from rse.trail.models import Event


def record(verb: str, *, actor=None, obj=None, community_id=None, **data) -> Event:
    """Append to the activity trail. Call inside the service's transaction."""
    object_type = f"{obj._meta.app_label}.{obj._meta.model_name}" if obj is not None else ""
    return Event.objects.create(
        verb=verb,
        actor=actor if actor is not None and actor.is_authenticated else None,
        object_type=object_type,
        object_id=getattr(obj, "pk", None),
        community_id=community_id,
        data=data,
    )

"""Communities and memberships: create, describe, tag, join, request, approve, invite, leave, remove."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from communities import hooks
from communities import permissions as perms
from communities.models import Community, Membership
from communities.notifications.services import do_settle_join_request
from communities.notify import notify_on_commit
from communities.services.common import check_cover, check_text, get_or_create_tags
from communities.text import process, tag_slug
from rse.lib.events import community_group, publish_on_commit, user_group
from rse.trail.services import record

__all__ = [
    "check_create_community", "community_slug", "do_create_community", "do_update_community", "parse_tags",
    "do_join_community", "do_leave_community", "do_approve_membership", "do_reject_membership",
    "do_invite_member", "do_accept_invitation", "do_decline_invitation", "do_remove_member",
    "do_set_member_role",
]  # fmt: skip

A = Membership.Status.ACTIVE


def parse_tags(value) -> dict:
    """ "Lean, kaizen; 5S" or a list → {slug: name}, at most 10."""
    if isinstance(value, str):
        value = value.replace(";", ",").split(",")
    tags = {}
    for raw in value or ():
        name = str(raw).strip().lstrip("#").strip()[:60]
        slug = tag_slug(name)
        if slug:
            tags.setdefault(slug, name)
    return dict(list(tags.items())[:10])


SLUG_TAIL_CHARS = "abcdefghijkmnpqrstuvwxyz23456789"


def community_slug(name, visibility) -> str:
    """A free slug that tells nothing about communities the creator cannot see.

    A secret community's slug carries a random tail, so its address cannot be guessed from its
    name and a later community of the same name finds the plain slug free. When the plain slug is
    taken anyway (a listed community, a deleted one, one made secret long ago), the tail is random
    too, never "-2": a counter would say how many came first.
    """
    base = slugify(name)[:120] or "community"
    if visibility != Community.Visibility.SECRET and not Community.objects.filter(slug=base).exists():
        return base
    while True:
        slug = f"{base}-{get_random_string(8, SLUG_TAIL_CHARS)}"
        if not Community.objects.filter(slug=slug).exists():
            return slug


def _name_taken(user, name, community=None):
    """Among the communities `user` can see: a secret one's name must not leak through this."""
    from communities.selectors import visible_communities

    same = visible_communities(user).filter(name__iexact=" ".join(name.split()))
    return same.exclude(pk=community.pk).exists() if community is not None else same.exists()


def check_create_community(
    user, *, name, description_md="", visibility=Community.Visibility.OPEN, cover=None, community=None
):
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Log in to create a community."))
    errors = {}
    if not (name or "").strip():
        errors["name"] = _("A community needs a name.")
    elif len(name) > 120:
        errors["name"] = _("At most 120 characters.")
    elif _name_taken(user, name, community):
        errors["name"] = _("A community with this name already exists: join it, or choose another name.")
    if visibility not in Community.Visibility.values:
        errors["visibility"] = _("Choose open, restricted, private or secret.")
    if errors:
        raise ValidationError(errors)
    check_text(description_md, field="description_md", required=False)
    check_cover(cover)


@transaction.atomic
def do_create_community(
    user, *, name, description_md="", visibility=Community.Visibility.OPEN, tags=(), cover=None, template=None
):
    """`template`: the id of a community template (hooks.StarterProvider) that fills the new
    community in (charter, tags, starter posts) in the same transaction."""
    check_create_community(user, name=name, description_md=description_md, visibility=visibility, cover=cover)
    if template not in (None, ""):
        hooks.check_starter(user, template)
    community = Community(
        name=" ".join(name.split()),
        slug=community_slug(name, visibility),
        description_md=description_md or "",
        description_html=process(description_md, author=user).html,
        visibility=visibility,
        created_by=user,
        members_count=1,
    )
    if cover:
        community.cover = cover
    community.save()
    community.tags.set(get_or_create_tags(parse_tags(tags)))
    Membership.objects.create(community=community, user=user, role=Membership.Role.OWNER, status=A)
    record("communities.community_created", actor=user, obj=community, community_id=community.pk)
    publish_on_commit("communities.community_created", [user_group(user.pk)], {"community_id": community.pk})
    if template not in (None, ""):
        hooks.apply_starter(user, community, template)
    return community


@transaction.atomic
def do_update_community(user, community, *, name=None, description_md=None, visibility=None, tags=None, cover=None):
    if not perms.can_moderate(user, community):
        raise PermissionDenied(_("Only animators and owners can edit the community."))
    check_create_community(
        user,
        name=community.name if name is None else name,
        description_md=description_md or "",
        visibility=community.visibility if visibility is None else visibility,
        cover=cover,
        community=community,
    )
    fields = []
    if name is not None:
        community.name = " ".join(name.split())
        fields.append("name")
    if description_md is not None:
        community.description_md = description_md
        community.description_html = process(description_md, author=user).html
        fields += ["description_md", "description_html"]
    if visibility is not None:
        if visibility == Community.Visibility.SECRET and community.visibility != visibility:
            # Turning secret: its address stops being derivable from its (once listed) name.
            community.slug = community_slug(community.name, visibility)
            fields.append("slug")
        community.visibility = visibility
        fields.append("visibility")
    if cover:
        community.cover = cover
        fields.append("cover")
    if fields:
        community.save(update_fields=[*fields, "updated_at"])
    if tags is not None:
        community.tags.set(get_or_create_tags(parse_tags(tags)))
    record("communities.community_updated", actor=user, obj=community, community_id=community.pk, fields=fields)
    publish_on_commit("communities.community_updated", [community_group(community.pk)], {"community_id": community.pk})
    return community


def _bump_members(community, delta):
    Community.objects.filter(pk=community.pk).update(members_count=F("members_count") + delta)


def _moderator_ids(community):
    return list(perms.moderators_of(community).values_list("pk", flat=True))


def _activate(membership, actor):
    if membership.status == Membership.Status.PENDING:  # approved, or invited after asking
        do_settle_join_request(membership.community_id, membership.user_id)
    membership.status = A
    membership.save(update_fields=["status", "updated_at"])
    _bump_members(membership.community, +1)
    record(
        "communities.joined",
        actor=membership.user,
        obj=membership.community,
        community_id=membership.community_id,
        approved_by=actor.pk if actor and actor.pk != membership.user_id else None,
    )
    publish_on_commit(
        "communities.member_joined",
        [community_group(membership.community_id), user_group(membership.user_id)],
        {"community_id": membership.community_id, "user_id": membership.user_id},
    )
    hooks.member_joined(membership.community_id, membership.user_id)


@transaction.atomic
def do_join_community(user, community) -> Membership:
    """Open: member at once. Restricted/private: a request animators approve. Invited: accepts."""
    membership = Membership.objects.select_for_update().filter(community=community, user=user).first()
    if membership is not None and membership.status == A:
        return membership
    if not perms.can_request_to_join(user, community, membership):
        if membership is not None and membership.status == Membership.Status.PENDING:
            return membership
        raise PermissionDenied(_("This community is by invitation only."))
    if membership is not None:  # invited
        _activate(membership, actor=user)
        return membership
    if community.visibility == Community.Visibility.OPEN:
        membership = Membership.objects.create(community=community, user=user, status=Membership.Status.PENDING)
        _activate(membership, actor=user)
        return membership
    membership = Membership.objects.create(community=community, user=user, status=Membership.Status.PENDING)
    record("communities.join_requested", actor=user, obj=community, community_id=community.pk)
    moderators = _moderator_ids(community)
    publish_on_commit(
        "communities.join_requested",
        [community_group(community.pk), *(user_group(m) for m in moderators)],
        {"community_id": community.pk, "user_id": user.pk},
    )
    notify_on_commit("join_request", moderators, actor_id=user.pk, community_id=community.pk, ref=membership.pk)
    return membership


def _is_last_owner(membership):
    if membership.role != Membership.Role.OWNER or membership.status != A:
        return False
    return not (
        Membership.objects.filter(community_id=membership.community_id, role=Membership.Role.OWNER, status=A)
        .exclude(pk=membership.pk)
        .exists()
    )


def _drop(membership, verb, actor):
    if membership.status == Membership.Status.PENDING:  # refused, withdrawn or removed: nothing to decide
        do_settle_join_request(membership.community_id, membership.user_id)
    was_active = membership.status == A
    community = membership.community
    membership.delete()
    if was_active:
        _bump_members(community, -1)
    record(verb, actor=actor, obj=community, community_id=community.pk, user_id=membership.user_id)
    publish_on_commit(
        verb, [community_group(community.pk), user_group(membership.user_id)],
        {"community_id": community.pk, "user_id": membership.user_id},
    )  # fmt: skip


@transaction.atomic
def do_leave_community(user, community):
    membership = Membership.objects.select_for_update().filter(community=community, user=user).first()
    if membership is None:
        raise ValidationError(_("You are not a member of this community."))
    if _is_last_owner(membership):
        raise ValidationError(_("You are the last owner: name another owner before leaving."))
    _drop(membership, "communities.left", actor=user)


def _membership_for_moderation(actor, membership, allowed_statuses):
    membership = Membership.objects.select_for_update().select_related("community", "user").get(pk=membership.pk)
    if not perms.can_moderate(actor, membership.community):
        raise PermissionDenied(_("Only animators and owners can manage members."))
    if membership.status not in allowed_statuses:
        raise ValidationError(_("This membership is not in a state allowing that."))
    return membership


@transaction.atomic
def do_approve_membership(actor, membership) -> Membership:
    membership = _membership_for_moderation(actor, membership, [Membership.Status.PENDING])
    _activate(membership, actor=actor)
    notify_on_commit(
        "join_approved", [membership.user_id], actor_id=actor.pk, community_id=membership.community_id,
        ref=membership.pk,
    )  # fmt: skip
    return membership


@transaction.atomic
def do_reject_membership(actor, membership):
    membership = _membership_for_moderation(actor, membership, [Membership.Status.PENDING])
    _drop(membership, "communities.request_rejected", actor=actor)


@transaction.atomic
def do_invite_member(actor, community, invitee) -> Membership:
    if not perms.can_invite(actor, community):
        raise PermissionDenied(_("Only animators and owners can invite."))
    if not invitee.is_active:
        raise ValidationError(_("This person has left the company."))
    membership = Membership.objects.select_for_update().filter(community=community, user=invitee).first()
    if membership is not None:
        if membership.status == Membership.Status.PENDING:
            _activate(membership, actor=actor)  # they asked, we invite: agreed on both sides
        return membership
    membership = Membership.objects.create(
        community=community, user=invitee, status=Membership.Status.INVITED, invited_by=actor
    )
    record("communities.invited", actor=actor, obj=community, community_id=community.pk, user_id=invitee.pk)
    publish_on_commit(
        "communities.invited", [user_group(invitee.pk)], {"community_id": community.pk, "user_id": invitee.pk}
    )
    notify_on_commit("invitation", [invitee.pk], actor_id=actor.pk, community_id=community.pk, ref=membership.pk)
    return membership


@transaction.atomic
def do_accept_invitation(user, community) -> Membership:
    membership = Membership.objects.select_for_update().filter(community=community, user=user).first()
    if membership is None or membership.status != Membership.Status.INVITED:
        raise ValidationError(_("There is no invitation to accept."))
    _activate(membership, actor=user)
    return membership


@transaction.atomic
def do_decline_invitation(user, community):
    membership = Membership.objects.select_for_update().filter(community=community, user=user).first()
    if membership is None or membership.status != Membership.Status.INVITED:
        raise ValidationError(_("There is no invitation to decline."))
    _drop(membership, "communities.invitation_declined", actor=user)


@transaction.atomic
def do_remove_member(actor, membership):
    membership = _membership_for_moderation(actor, membership, list(Membership.Status.values))
    if not perms.can_remove_member(actor, membership):
        if membership.user_id == actor.pk:
            raise PermissionDenied(_("Leave the community instead of removing yourself."))
        raise PermissionDenied(_("Only an owner can remove an owner."))
    if _is_last_owner(membership):
        raise ValidationError(_("A community keeps at least one owner."))
    _drop(membership, "communities.member_removed", actor=actor)
    hooks.moderated(actor, membership.community_id, "remove_member", "member", membership.user_id, membership.user)


@transaction.atomic
def do_set_member_role(actor, membership, role) -> Membership:
    membership = Membership.objects.select_for_update().select_related("community").get(pk=membership.pk)
    if not perms.can_change_roles(actor, membership.community):
        raise PermissionDenied(_("Only owners change roles."))
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if membership.status != A:
        raise ValidationError(_("Only active members have a role."))
    if not perms.can_change_role_of(actor, membership):
        raise PermissionDenied(_("Another owner changes your role."))
    if membership.role == Membership.Role.OWNER and role != Membership.Role.OWNER and _is_last_owner(membership):
        raise ValidationError(_("A community keeps at least one owner."))
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    record(
        "communities.role_changed", actor=actor, obj=membership.community,
        community_id=membership.community_id, user_id=membership.user_id, role=role,
    )  # fmt: skip
    hooks.moderated(actor, membership.community_id, f"role_{role}", "member", membership.user_id, membership.user)
    return membership


def touch_community(community_id, when=None):
    Community.objects.filter(pk=community_id).update(last_activity_at=when or timezone.now())

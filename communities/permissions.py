"""can_<verb>(user, obj) predicates: the single place deciding who may do what in communities.

Selectors (visible_*), views, API, search, notifications and websocket consumers all use
these, so a secret community cannot leak through a forgotten path. `membership` may be
passed when the caller already loaded it (saves a query per call in lists).
"""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from communities.models import Community, Membership
from rse.accounts.models import User
from rse.accounts.roles import Role, has_role

_UNSET = object()
PUBLICLY_READABLE = (Community.Visibility.OPEN, Community.Visibility.RESTRICTED)
MODERATOR_ROLES = (Membership.Role.ANIMATOR, Membership.Role.OWNER)


def _is_employee(user) -> bool:
    """Signed in and not departed (a deactivated account keeps no rights, even mid-session)."""
    return getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)


def get_membership(user, community):
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(community=community, user=user).first()


def _m(user, community, membership):
    return get_membership(user, community) if membership is _UNSET else membership


def is_active_member(user, community, membership=_UNSET) -> bool:
    m = _m(user, community, membership)
    return m is not None and m.status == Membership.Status.ACTIVE


def can_see_community(user, community, membership=_UNSET) -> bool:
    """Listed to the user: everything but secret communities they are not in or invited to.
    The queryset form is seeable_communities(user)."""
    if not _is_employee(user) or community.deleted_at:
        return False
    if community.visibility != Community.Visibility.SECRET:
        return True
    m = _m(user, community, membership)
    return m is not None and m.status in (Membership.Status.ACTIVE, Membership.Status.INVITED)


def seeable_communities(user):
    """can_see_community as a queryset: the communities `user` may know exist."""
    if not _is_employee(user):
        return Community.objects.none()
    in_or_invited = Membership.objects.filter(
        community=OuterRef("pk"), user=user, status__in=[Membership.Status.ACTIVE, Membership.Status.INVITED]
    )
    return Community.objects.alive().filter(~Q(visibility=Community.Visibility.SECRET) | Exists(in_or_invited))


def is_readable_by_every_employee(community) -> bool:
    """Open and restricted communities: membership does not decide who reads them."""
    return community.visibility in PUBLICLY_READABLE


def can_read_community(user, community, membership=_UNSET) -> bool:
    """May read the posts: open/restricted for every employee, private/secret for active members.
    The queryset forms are readable_communities(user) and readers_of(community)."""
    if not _is_employee(user) or community.deleted_at:
        return False
    if is_readable_by_every_employee(community):
        return True
    return is_active_member(user, community, membership)


def readable_communities(user, *, mine=None):
    """can_read_community as a queryset: the communities whose content `user` may read. `mine`:
    the ids of the communities `user` is an active member of, when the caller already holds them
    (the same rule, a list in place of a correlated subquery)."""
    if not _is_employee(user):
        return Community.objects.none()
    if mine is None:
        active = Membership.objects.filter(community=OuterRef("pk"), user=user, status=Membership.Status.ACTIVE)
        member = Exists(active)
    else:
        member = Q(pk__in=mine)
    return Community.objects.alive().filter(Q(visibility__in=PUBLICLY_READABLE) | member)


def readers_of(community):
    """can_read_community as a queryset of people: who may read `community` (mention
    suggestions, notification fan-out)."""
    if community.deleted_at:
        return User.objects.none()
    people = User.objects.filter(is_active=True)
    if is_readable_by_every_employee(community):
        return people
    members = Membership.objects.filter(community=community, status=Membership.Status.ACTIVE)
    return people.filter(pk__in=members.values("user_id"))


def is_suspended(user, community, membership=_UNSET) -> bool:
    """Suspended from the community by its animators: still reads, neither posts nor comments."""
    m = _m(user, community, membership)
    return m is not None and m.suspended_until is not None and m.suspended_until > timezone.now()


def can_post(user, community, membership=_UNSET) -> bool:
    m = _m(user, community, membership)
    return not community.archived_at and is_active_member(user, community, m) and not is_suspended(user, community, m)


def can_moderate(user, community, membership=_UNSET) -> bool:
    """Animators and owners: approve, remove, pin, see tombstones, edit the community.
    The queryset form is moderators_of(community)."""
    if not _is_employee(user):
        return False
    m = _m(user, community, membership)
    return m is not None and m.status == Membership.Status.ACTIVE and m.role in MODERATOR_ROLES


def moderators_of(community):
    """can_moderate as a queryset of people (a community or its id): who hears of join requests
    and animation alerts."""
    moderating = Membership.objects.filter(
        community_id=getattr(community, "pk", community), status=Membership.Status.ACTIVE, role__in=MODERATOR_ROLES
    )
    return User.objects.filter(is_active=True, pk__in=moderating.values("user_id"))


def can_announce(user, community, membership=_UNSET) -> bool:
    return can_moderate(user, community, membership) or (
        is_active_member(user, community, membership) and has_role(user, Role.INTERNAL_COMMS)
    )


def can_comment(user, community, membership=_UNSET) -> bool:
    """Members comment; in an open community anyone may join the conversation (it is open)."""
    m = _m(user, community, membership)
    if community.archived_at or not can_read_community(user, community, m) or is_suspended(user, community, m):
        return False
    return community.visibility == Community.Visibility.OPEN or is_active_member(user, community, m)


def can_comment_on(user, post, membership=_UNSET, *, may_comment=None) -> bool:
    """can_comment, in a conversation its animators have not locked. `may_comment`: can_comment(user,
    post.community, membership), when the caller decided it once for a page of posts."""
    if post.locked_at:
        return False
    return can_comment(user, post.community, membership) if may_comment is None else may_comment


def can_react(user, community, membership=_UNSET) -> bool:
    return can_comment(user, community, membership)


def can_edit_content(user, content) -> bool:
    """Only the author edits their words (animators delete, they do not rewrite)."""
    return _is_employee(user) and content.author_id == user.pk and not content.deleted_at


def can_delete_content(user, content, community, membership=_UNSET, *, moderator=None) -> bool:
    """The author, or an animator of the community (a post or a comment). `moderator`:
    can_moderate(user, community, membership), when the caller decided it once for a page."""
    if not _is_employee(user) or content.deleted_at:
        return False
    return content.author_id == user.pk or _moderates(user, community, membership, moderator)


def _moderates(user, community, membership, moderator):
    return can_moderate(user, community, membership) if moderator is None else moderator


def can_see_read_receipts(user, post, membership=_UNSET, *, moderator=None) -> bool:
    """How many read a must-read post: its author and the community's animators."""
    if not _is_employee(user):
        return False
    return post.author_id == user.pk or _moderates(user, post.community, membership, moderator)


def can_see_poll_results(user, post, *, has_voted) -> bool:
    """A poll's results: after one's own vote (no herding), once it is closed, and to its author."""
    poll = getattr(post, "poll", None)
    return bool(has_voted or (poll is not None and poll.is_closed) or post.author_id == user.pk)


def can_accept_answer(user, post, membership=_UNSET, *, moderator=None) -> bool:
    if not _is_employee(user) or post.kind != post.Kind.QUESTION or post.deleted_at:
        return False
    return post.author_id == user.pk or _moderates(user, post.community, membership, moderator)


def can_remove_member(actor, target, membership=_UNSET) -> bool:
    """Animators remove members (and withdraw invitations), only owners remove an owner; nobody
    removes themselves (they leave). `membership` is the actor's, `target` the one removed."""
    if not _is_employee(actor) or target.user_id == actor.pk:
        return False
    if target.role == Membership.Role.OWNER:
        return can_change_roles(actor, target.community, membership)
    return can_moderate(actor, target.community, membership)


def can_request_to_join(user, community, membership=_UNSET) -> bool:
    """Open, restricted and private communities take requests; secret ones only invitations."""
    if not can_see_community(user, community, membership) or community.archived_at:
        return False
    m = _m(user, community, membership)
    if m is not None:
        return m.status == Membership.Status.INVITED
    return community.visibility != Community.Visibility.SECRET


def can_invite(user, community, membership=_UNSET) -> bool:
    return can_moderate(user, community, membership)


def can_change_roles(user, community, membership=_UNSET) -> bool:
    m = _m(user, community, membership)
    return m is not None and m.status == Membership.Status.ACTIVE and m.role == Membership.Role.OWNER


def can_change_role_of(actor, target, membership=_UNSET) -> bool:
    """Owners give an active member a role; not their own (another owner does, so that nobody
    demotes themselves by a slip). `membership` is the actor's, `target` the one changed."""
    if not _is_employee(actor) or target.user_id == actor.pk or target.status != Membership.Status.ACTIVE:
        return False
    return can_change_roles(actor, target.community, membership)

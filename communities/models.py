import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rse.lib.files import RandomName
from rse.lib.jobs import Job
from rse.lib.models import SoftDeleteModel, SoftDeleteQuerySet, TimeStampedModel


class ContentQuerySet(SoftDeleteQuerySet):
    def alive(self):
        """Live content as readers get it: neither deleted nor hidden by moderation (a flag
        threshold, a keyword rule held it, an animator hid it). Every door (feeds, search, API,
        websocket) goes through alive(), so hidden content leaves them all at once; the
        animators' moderation queue reaches it by id, not through here."""
        return self.filter(deleted_at__isnull=True, hidden_at__isnull=True)


class Community(TimeStampedModel, SoftDeleteModel):
    class Visibility(models.TextChoices):
        OPEN = "open", _("Open: anyone joins")
        RESTRICTED = "restricted", _("Restricted: anyone reads, an animator approves members")
        PRIVATE = "private", _("Private: listed, only members read")
        SECRET = "secret", _("Secret: unlisted, by invitation only")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    description_md = models.TextField(_("description"), blank=True)
    description_html = models.TextField(blank=True, editable=False)
    visibility = models.CharField(_("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.OPEN)
    # Served to every signed-in person by rse.lib.files.media, under a random name.
    cover = models.ImageField(_("cover image"), upload_to=RandomName("covers"), blank=True, max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    members_count = models.PositiveIntegerField(default=0, editable=False)
    posts_count = models.PositiveIntegerField(default=0, editable=False)
    last_activity_at = models.DateTimeField(default=timezone.now, db_index=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    # Merged into another community by an administrator (then soft-deleted): its old address
    # leads there (views.community_detail).
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("community")
        verbose_name_plural = _("communities")

    def __str__(self):
        return self.name


class Membership(TimeStampedModel):
    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        ANIMATOR = "animator", _("Animator")
        OWNER = "owner", _("Owner")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PENDING = "pending", _("Waiting for approval")
        INVITED = "invited", _("Invited")

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set by the animators' moderation (suspend the author for N days): reads, but neither posts
    # nor comments until then (permissions.is_suspended).
    suspended_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["community", "user"], name="membership_unique")]
        indexes = [models.Index(fields=["user", "status"]), models.Index(fields=["community", "status", "role"])]

    def __str__(self):
        return f"{self.user} in {self.community} ({self.role}, {self.status})"


class Post(TimeStampedModel, SoftDeleteModel):
    class Kind(models.TextChoices):
        DISCUSSION = "discussion", _("Discussion")
        QUESTION = "question", _("Question")
        ANNOUNCEMENT = "announcement", _("Announcement")
        POLL = "poll", _("Poll")
        EVENT = "event", _("Event")

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts")
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.DISCUSSION)
    title = models.CharField(_("title"), max_length=200, blank=True)
    body_md = models.TextField(_("text"), blank=True)
    body_html = models.TextField(blank=True, editable=False)
    # The words as every reader gets them (rse.lib.markdown.html_to_text of body_html): what search
    # indexes and quotes. body_md, as typed, may name restricted items; it is for its author.
    body_text = models.TextField(blank=True, editable=False)
    edited_at = models.DateTimeField(null=True, blank=True)
    pinned_at = models.DateTimeField(null=True, blank=True)
    # The animators' selection for the Essentials view ("less is more").
    highlighted_at = models.DateTimeField(null=True, blank=True)
    requires_ack = models.BooleanField(_("ask members to confirm they have read it"), default=False)
    acks_count = models.PositiveIntegerField(default=0, editable=False)
    last_activity_at = models.DateTimeField(default=timezone.now)
    comments_count = models.PositiveIntegerField(default=0, editable=False)
    reactions_count = models.PositiveIntegerField(default=0, editable=False)
    # Feeds load attachments only for the posts that have some (most have none): one query fewer.
    attachments_count = models.PositiveIntegerField(default=0, editable=False)
    accepted_comment = models.ForeignKey(
        "Comment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("accepted answer")
    )
    shared_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="shares", verbose_name=_("shared from")
    )
    items = models.ManyToManyField("repository.Item", blank=True, related_name="posts")
    # Moderation (written by the animators' tools through communities' hooks): hidden pending
    # review or by decision, out of every reader's door (ContentQuerySet.alive); locked, the
    # conversation is read-only.
    hidden_at = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [
            models.Index(fields=["community", "-created_at", "-id"], name="post_feed_idx"),
            models.Index(fields=["community", "-last_activity_at", "-id"], name="post_active_idx"),
            models.Index(fields=["author", "-created_at"], name="post_author_idx"),
            # Home feed "most active" across communities, the per-type lists and Essentials.
            models.Index(fields=["-last_activity_at", "-id"], name="post_last_activity_idx"),
            models.Index(fields=["kind", "-created_at", "-id"], name="post_kind_idx"),
            models.Index(
                fields=["community", "-pinned_at"], condition=Q(pinned_at__isnull=False), name="post_pinned_idx"
            ),
            models.Index(
                fields=["community", "-highlighted_at"],
                condition=Q(highlighted_at__isnull=False),
                name="post_highlighted_idx",
            ),
        ]

    def __str__(self):
        if not self.title and not self.body_text and self.shared_from_id:
            return str(_("Shared post"))  # never the original's title: not every reader may see it
        # Never the markdown: it may name a restricted item that the rendered text withholds.
        return self.title or (self.body_text[:60] + ("…" if len(self.body_text) > 60 else ""))


class Comment(TimeStampedModel, SoftDeleteModel):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies", verbose_name=_("reply to")
    )
    body_md = models.TextField(_("text"))
    body_html = models.TextField(blank=True, editable=False)
    body_text = models.TextField(blank=True, editable=False)  # as on Post: what search sees
    edited_at = models.DateTimeField(null=True, blank=True)
    reactions_count = models.PositiveIntegerField(default=0, editable=False)
    items = models.ManyToManyField("repository.Item", blank=True, related_name="comments")
    hidden_at = models.DateTimeField(null=True, blank=True)  # as on Post

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["post", "created_at", "id"], name="comment_post_idx")]

    def __str__(self):
        return self.body_text[:60]


class Reaction(TimeStampedModel):
    """One reaction per person and target, from a small fixed set (never a popularity score)."""

    class Kind(models.TextChoices):
        LIKE = "like", _("Like")
        THANKS = "thanks", _("Thanks")
        INSIGHTFUL = "insightful", _("Insightful")
        AGREE = "agree", _("Agree")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reactions")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="reactions")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="reactions")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.LIKE)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(post__isnull=False) & Q(comment__isnull=True))
                | (Q(post__isnull=True) & Q(comment__isnull=False)),
                name="reaction_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "post"], condition=Q(post__isnull=False), name="reaction_post_unique"
            ),
            models.UniqueConstraint(
                fields=["user", "comment"], condition=Q(comment__isnull=False), name="reaction_comment_unique"
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.kind}"


# --- Conversations: tags, revisions, mentions, bookmarks, polls, events, attachments ------


class Tag(TimeStampedModel):
    """A topic: describes communities and is what a #hashtag in a post points to."""

    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(_("slug"), max_length=70, unique=True)
    communities = models.ManyToManyField(Community, blank=True, related_name="tags")
    posts = models.ManyToManyField(Post, blank=True, related_name="hashtags")

    class Meta:
        ordering = ["slug"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name


class PostRevision(models.Model):
    """The text as it was before an edit: edits are visible, never silent."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=200, blank=True)
    body_md = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"revision of post {self.post_id} at {self.created_at:%Y-%m-%d %H:%M}"


class CommentRevision(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body_md = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"revision of comment {self.comment_id}"


class Mention(TimeStampedModel):
    """Someone named in a post or comment. Only people who may read the community are stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentions")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="mentions")

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="mention_user_idx")]

    def __str__(self):
        return f"@{self.user} in post {self.post_id}"


class Bookmark(TimeStampedModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="bookmarks")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="bookmark_unique")]

    def __str__(self):
        return f"{self.user} bookmarked {self.post_id}"


class Acknowledgement(TimeStampedModel):
    """ "I have read it" on an announcement that asks for it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="acknowledgements")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="acknowledgements")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="acknowledgement_unique")]

    def __str__(self):
        return f"{self.user} read {self.post_id}"


class Poll(models.Model):
    post = models.OneToOneField(Post, primary_key=True, on_delete=models.CASCADE, related_name="poll")
    multiple = models.BooleanField(_("several answers allowed"), default=False)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    voters_count = models.PositiveIntegerField(default=0, editable=False)

    def __str__(self):
        return f"poll {self.post_id}"

    @property
    def is_closed(self):
        return self.closes_at is not None and self.closes_at <= timezone.now()


class PollOption(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="poll_options")
    label = models.CharField(_("option"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    votes_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.label


class PollBallot(TimeStampedModel):
    """One ballot per person and poll (the constraint is the rule); its choices hang off it."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="poll_ballots")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="poll_one_ballot_per_person")]

    def __str__(self):
        return f"ballot of {self.user_id} on {self.post_id}"


class PollChoice(models.Model):
    ballot = models.ForeignKey(PollBallot, on_delete=models.CASCADE, related_name="choices")
    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="choices")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ballot", "option"], name="poll_choice_unique")]

    def __str__(self):
        return f"{self.ballot_id} → {self.option_id}"


class EventDetails(models.Model):
    post = models.OneToOneField(Post, primary_key=True, on_delete=models.CASCADE, related_name="event")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    yes_count = models.PositiveIntegerField(default=0, editable=False)
    maybe_count = models.PositiveIntegerField(default=0, editable=False)
    no_count = models.PositiveIntegerField(default=0, editable=False)

    def __str__(self):
        return f"event {self.post_id}"


class Rsvp(TimeStampedModel):
    class Answer(models.TextChoices):
        YES = "yes", _("Going")
        MAYBE = "maybe", _("Maybe")
        NO = "no", _("Not going")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(max_length=8, choices=Answer.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="rsvp_unique")]

    def __str__(self):
        return f"{self.user_id}: {self.answer}"


def _attachment_path(instance, filename):
    # A random folder: files are only served through the permission-checked view.
    return f"attachments/{uuid.uuid4().hex}/{filename}"


class Attachment(TimeStampedModel):
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    file = models.FileField(upload_to=_attachment_path, max_length=300)
    name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField(default=0)
    content_type = models.CharField(max_length=120, blank=True)
    is_image = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name


# --- Notifications ---------------------------------------------------------------------
# What concerns a person, told in the bell, by e-mail at once or in a daily digest, as they
# chose (DESIGN principle 6: nobody is forced). Written only by communities.notifications.


class NotificationKind(models.TextChoices):
    MENTION = "mention", _("Mentions of me")
    REPLY = "reply", _("Replies to my posts and comments")
    ANSWER = "answer", _("Answers to my questions")
    ANSWER_ACCEPTED = "answer_accepted", _("My answer accepted")
    JOIN_REQUEST = "join_request", _("Requests to join a community I animate")
    JOIN_APPROVED = "join_approved", _("My requests to join, approved")
    INVITATION = "invitation", _("Invitations to a community")
    ANNOUNCEMENT = "announcement", _("Announcements")
    FOLLOWED_ITEM_POST = "followed_item_post", _("New conversations on items I follow")
    FOLLOWED_PERSON_POST = "followed_person_post", _("New posts by people I follow")
    # Sent by the animators' tools (animation/): each can be switched off like the others.
    NUDGE = "nudge", _("Questions waiting for an answer I could give")
    WELCOME = "welcome", _("Welcome messages of the communities I join")
    ANIMATOR_MESSAGE = "animator_message", _("Messages from the animators of my communities")
    PULSE = "pulse", _("Short surveys of my communities")
    LAUNCH = "launch", _("Launch posts to read early, as a champion")
    ANIMATION_ALERT = "animation_alert", _("Reminders about the communities I animate")
    MODERATION = "moderation", _("Moderation decisions about what I wrote")
    ARCHIVE_PROPOSAL = "archive_proposal", _("Proposals to archive what I own")


class NotificationChannel(models.TextChoices):
    IN_APP = "in_app", _("In the app only")
    EMAIL = "email", _("In the app and by e-mail at once")
    DIGEST = "digest", _("In the app and in a daily e-mail digest")
    OFF = "off", _("Off")


class Notification(models.Model):
    """One thing that concerns one person. `dedupe_key` is derived from the event, so a task
    that runs twice (retry, duplicate delivery) inserts nothing the second time."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    community = models.ForeignKey(Community, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=16, choices=NotificationChannel.choices, default=NotificationChannel.IN_APP)
    dedupe_key = models.CharField(max_length=160)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notification_dedupe"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_list_idx"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread_idx"),
            models.Index(
                fields=["recipient"],
                condition=Q(channel="digest", digested_at__isnull=True),
                name="notification_digest_idx",
            ),
        ]

    def __str__(self):
        return f"{self.kind} for {self.recipient_id}"

    @property
    def is_read(self):
        return self.read_at is not None


class DigestRun(Job):
    """The daily e-mail digests of one day, as a job (rse/lib/jobs.py): progress counts people
    served, a run that stops making progress is shown stalled and re-queued for those left."""

    day = models.DateField(_("day"), unique=True)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("digest run")
        verbose_name_plural = _("digest runs")

    def __str__(self):
        return f"digests of {self.day}"


class NotificationPreference(models.Model):
    """How a person wants one kind. No row means the default (see DEFAULT_CHANNELS)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    channel = models.CharField(_("how"), max_length=16, choices=NotificationChannel.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique")]

    def __str__(self):
        return f"{self.user_id} {self.kind}: {self.channel}"


class Mute(models.Model):
    """A silenced community or conversation: its notifications are no longer created for this person."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mutes")
    community = models.ForeignKey(Community, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(community__isnull=False) & Q(post__isnull=True))
                | (Q(community__isnull=True) & Q(post__isnull=False)),
                name="mute_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "community"], condition=Q(community__isnull=False), name="mute_community_unique"
            ),
            models.UniqueConstraint(fields=["user", "post"], condition=Q(post__isnull=False), name="mute_post_unique"),
        ]

    def __str__(self):
        target = f"community {self.community_id}" if self.community_id else f"post {self.post_id}"
        return f"{self.user_id} mutes {target}"

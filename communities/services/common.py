"""Helpers shared by the services: who may read (for notifications), uploads, text."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from communities.models import Attachment, Community, Post, Tag
from communities.permissions import readers_of

MAX_ATTACHMENTS = 5
MAX_COVER_BYTES = 5 * 1024 * 1024
IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".gif", ".webp"}
FILE_EXTENSIONS = IMAGE_EXTENSIONS | {
    ".pdf", ".txt", ".csv", ".md", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".zip",
}  # fmt: skip
MAX_BODY_CHARS = 20_000


def count_visible(content, delta: int) -> None:
    """The community's posts_count and a post's comments_count count what readers see: alive and
    not hidden. Called when an item appears (+1) or leaves their sight (-1): created unheld,
    hidden or shown again by moderation, deleted while visible. Never below 0."""
    if isinstance(content, Post):
        Community.objects.filter(pk=content.community_id).update(posts_count=Greatest(F("posts_count") + delta, 0))
    else:
        Post.objects.filter(pk=content.post_id).update(comments_count=Greatest(F("comments_count") + delta, 0))


def readers_among(user_ids, community: Community) -> list[int]:
    """The subset of `user_ids` who may read `community`, in one query, for notification fan-out."""
    ids = {int(i) for i in user_ids if i}
    if not ids:
        return []
    return sorted(readers_of(community).filter(pk__in=ids).values_list("pk", flat=True))


def check_text(body_md: str, *, field="body_md", required=True):
    if required and not (body_md or "").strip():
        raise ValidationError({field: _("Write something first.")})
    if len(body_md or "") > MAX_BODY_CHARS:
        raise ValidationError(
            {
                field: _("This text is too long (%(n)d characters, at most %(max)d).")
                % {"n": len(body_md), "max": MAX_BODY_CHARS}
            }
        )


def _is_valid_image(upload) -> bool:
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
        return True
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return False
    finally:
        upload.seek(0)


def check_uploads(files):
    """Clear messages naming the file and the limit; nothing is saved when one file is wrong."""
    files = [f for f in files or () if f]
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError({"files": _("At most %(n)d files per message.") % {"n": MAX_ATTACHMENTS}})
    limit = settings.RSE_MAX_UPLOAD_BYTES
    for upload in files:
        name = Path(upload.name or "").name
        ext = Path(name).suffix.lower()
        if ext not in FILE_EXTENSIONS:
            raise ValidationError(
                {
                    "files": _("“%(name)s”: this type of file is not accepted (allowed: %(allowed)s).")
                    % {"name": name, "allowed": ", ".join(sorted(FILE_EXTENSIONS))}
                }
            )
        if upload.size > limit:
            raise ValidationError(
                {
                    "files": _("“%(name)s” is too large (%(size).1f MB, at most %(max).0f MB).")
                    % {"name": name, "size": upload.size / 1_048_576, "max": limit / 1_048_576}
                }
            )
        if ext in IMAGE_EXTENSIONS and not _is_valid_image(upload):
            raise ValidationError({"files": _("“%(name)s” is not a valid image.") % {"name": name}})
    return files


def check_cover(cover):
    if not cover:
        return
    name = Path(cover.name or "").name
    if Path(name).suffix.lower() not in IMAGE_EXTENSIONS or not _is_valid_image(cover):
        raise ValidationError({"cover": _("The cover must be a PNG, JPEG, GIF or WebP image.")})
    if cover.size > MAX_COVER_BYTES:
        raise ValidationError({"cover": _("The cover image is too large (at most 5 MB).")})


def save_attachments(files, *, user, post=None, comment=None):
    rows = []
    for upload in files:
        name = Path(upload.name).name[:200]
        rows.append(
            Attachment.objects.create(
                post=post,
                comment=comment,
                uploaded_by=user,
                file=upload,
                name=name,
                size=upload.size,
                content_type=getattr(upload, "content_type", "") or "",
                is_image=Path(name).suffix.lower() in IMAGE_EXTENSIONS,
            )
        )
    if post is not None and rows:
        Post.objects.filter(pk=post.pk).update(attachments_count=F("attachments_count") + len(rows))
        post.attachments_count += len(rows)
    return rows


def get_or_create_tags(tags: dict) -> list[Tag]:
    """`tags`: slug → display name."""
    if not tags:
        return []
    existing = {t.slug: t for t in Tag.objects.filter(slug__in=list(tags))}
    for slug, name in tags.items():
        if slug not in existing:
            existing[slug], _created = Tag.objects.get_or_create(slug=slug, defaults={"name": name[:60]})
    return list(existing.values())

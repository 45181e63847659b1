"""Keyword rules: compiling (RE2: matching time is linear in the text, so no pattern can
backtrack catastrophically), checking a new post or comment, and the dry run."""

from functools import lru_cache

import re2
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from animation.weeding.models import KeywordRule
from communities.models import Comment, Post

MAX_PATTERN = 500
DRY_RUN_SIZE = 500


def _options():
    options = re2.Options()
    options.log_errors = False
    options.max_mem = 8 << 20  # a pathological pattern is refused at compile time, not run
    return options


def _words(pattern) -> list[str]:
    return [w.strip() for w in pattern.replace("\n", ",").split(",") if w.strip()]


@lru_cache(maxsize=512)
def compile_rule(pattern: str, is_regex: bool):
    """Words (comma-separated, whole words, any case) or a regular expression (any case)."""
    source = pattern if is_regex else r"\b(?:" + "|".join(re2.escape(w) for w in _words(pattern)) + r")\b"
    return re2.compile(f"(?i){source}", _options())


def check_pattern(pattern, is_regex):
    pattern = (pattern or "").strip()
    if not pattern or (not is_regex and not _words(pattern)):
        raise ValidationError({"pattern": _("Give at least one word.")})
    if len(pattern) > MAX_PATTERN:
        raise ValidationError({"pattern": _("At most 500 characters.")})
    try:
        compile_rule(pattern, bool(is_regex))
    except re2.error as exc:
        raise ValidationError(
            {"pattern": _("This regular expression is not accepted (%(error)s).") % {"error": _decode(exc)}}
        ) from exc
    return pattern


def _decode(exc) -> str:
    arg = exc.args[0] if exc.args else ""
    return arg.decode(errors="replace") if isinstance(arg, bytes) else str(arg)


def matches(rule_or_pattern, text, is_regex=None) -> bool:
    if isinstance(rule_or_pattern, KeywordRule):
        pattern, is_regex = rule_or_pattern.pattern, rule_or_pattern.is_regex
    else:
        pattern = rule_or_pattern
    return compile_rule(pattern, bool(is_regex)).search(text or "") is not None


def rules_for(community):
    """The community's active rules and the company-wide ones."""
    return KeywordRule.objects.filter(Q(community=community) | Q(community__isnull=True), active=True).order_by("id")


def check_text_against_rules(community, text):
    """None, or the first rule that holds the text for review; a rejecting rule raises."""
    held = None
    for rule in rules_for(community):
        if not matches(rule, text):
            continue
        if rule.action == KeywordRule.Action.REJECT:
            raise ValidationError(rule.message or _("This text is not accepted in this community."))
        held = held or rule
    return held


def dry_run(community, pattern, is_regex, *, size=DRY_RUN_SIZE) -> dict:
    """What the rule would have caught in the last `size` posts and comments (of the community,
    or of every community for a company-wide rule)."""
    pattern = check_pattern(pattern, is_regex)
    posts = Post.objects.filter(deleted_at__isnull=True)
    comments = Comment.objects.filter(deleted_at__isnull=True, post__deleted_at__isnull=True)
    if community is not None:
        posts, comments = posts.filter(community=community), comments.filter(post__community=community)
    post_rows = list(posts.order_by("-created_at", "-id").values("id", "title", "body_text", "created_at")[:size])
    comment_rows = list(
        comments.order_by("-created_at", "-id").values("id", "post_id", "body_text", "created_at")[:size]
    )
    rows = [("post", r) for r in post_rows] + [("comment", r) for r in comment_rows]
    rows.sort(key=lambda r: (r[1]["created_at"], r[1]["id"]), reverse=True)
    rows = rows[:size]
    regex = compile_rule(pattern, bool(is_regex))
    caught = []
    for kind, row in rows:
        text = f"{row.get('title') or ''}\n{row['body_text']}"
        if regex.search(text) is not None:
            caught.append({
                "type": kind, "id": row["id"], "post_id": row.get("post_id") or row["id"],
                "excerpt": " ".join(text.split())[:140], "created_at": row["created_at"],
            })  # fmt: skip
    return {"checked": len(rows), "caught": caught}

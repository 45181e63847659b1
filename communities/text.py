"""User text → stored HTML, once, on write: @mentions, #hashtags and [[business item]] links
become markdown links, then rse.lib.markdown renders and sanitises (nh3) the result.

Nothing typed by a user reaches the HTML unescaped: names go into markdown link text with
their punctuation backslash-escaped, and the sanitiser has the last word anyway.
"""

import re
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext

from communities.links import item_id_url, item_url, profile_url, tag_url
from rse.accounts.models import User
from rse.lib.markdown import html_to_text, render_markdown
from rse.lib.text import normalize

MENTION_RE = re.compile(r"(?<![\w@.+\\-])@([a-z0-9](?:[a-z0-9._+-]{0,62}[a-z0-9])?)", re.IGNORECASE)
# A hashtag holds at least one letter: #5S and #kaizen are tags, #2024 or #1 are not.
HASHTAG_RE = re.compile(r"(?<![\w&/#\\])#(?=[\w-]*[^\W\d_])(\w[\w-]{0,58})")
ITEM_RE = re.compile(r"\[\[([^\[\]\n]{1,200})\]\]")
# Code (fenced blocks, then inline spans) is left untouched.
CODE_RE = re.compile(r"(```.*?```|~~~.*?~~~|`[^`\n]*`)", re.DOTALL)
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~@])")


def escape_md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def tag_slug(name: str) -> str:
    return slugify(normalize(name))[:70]


def mention_handle(user) -> str:
    """What people type after @: the local part of the e-mail (camille.durand)."""
    return user.email.split("@", 1)[0].lower()


@dataclass
class Processed:
    html: str
    mentioned: list = field(default_factory=list)  # User objects, whoever they are
    tags: dict = field(default_factory=dict)  # slug -> name as first typed
    items: list = field(default_factory=list)  # repository Items the author may see

    @property
    def text(self) -> str:
        """The plain words every reader gets (restricted items withheld): for search."""
        return html_to_text(self.html)


def _outside_code(text):
    """Yield (is_code, chunk)."""
    pos = 0
    for match in CODE_RE.finditer(text):
        if match.start() > pos:
            yield False, text[pos : match.start()]
        yield True, match.group(0)
        pos = match.end()
    if pos < len(text):
        yield False, text[pos:]


def _resolve_users(handles):
    if not handles:
        return {}
    query = reduce(or_, (Q(email__istartswith=f"{h}@") for h in handles))
    found = {}
    for user in User.objects.filter(query, is_active=True).order_by("id"):
        found.setdefault(mention_handle(user), user)
    return found


def _resolve_items(author, refs):
    if not refs:
        return {}
    from repository.selectors import visible_items

    slugs = {r.strip() for r in refs}
    names = {normalize(r) for r in refs}
    query = Q(slug__in=slugs) | reduce(or_, (Q(name__iexact=r.strip()) for r in refs))
    found = {}
    for item in visible_items(author).filter(query).order_by("id")[:50]:
        found.setdefault(item.slug, item)
        if normalize(item.name) in names:
            found.setdefault(normalize(item.name), item)
    return found


def _restricted_ids(items) -> set:
    ids = {item.pk for item in items}
    if not ids:
        return set()
    from repository.models import Item

    return set(Item.restricted_to.through.objects.filter(item_id__in=ids).values_list("item_id", flat=True))


def process(text: str, *, author) -> Processed:
    text = text or ""
    plain = "".join(chunk for is_code, chunk in _outside_code(text) if not is_code)
    users = _resolve_users({h.lower() for h in MENTION_RE.findall(plain)})
    items = _resolve_items(author, set(ITEM_RE.findall(plain)))
    result = Processed(html="")
    seen_items = {}
    restricted = _restricted_ids(items.values())

    def item_link(match):
        ref = match.group(1).strip()
        item = items.get(ref) or items.get(normalize(ref))
        if item is None:
            return match.group(0)
        seen_items[item.pk] = item
        if item.pk in restricted:
            # Rendered once for every reader: a restricted item's name and slug must not be in it.
            label = gettext("restricted item")
            return f"[{escape_md(label)}]({item_id_url(item.pk)})"
        return f"[{escape_md(item.name)}]({item_url(item.slug)})"

    def mention_link(match):
        user = users.get(match.group(1).lower())
        if user is None:
            return match.group(0)
        if user not in result.mentioned:
            result.mentioned.append(user)
        return f"[@{escape_md(user.display_name)}]({profile_url(user.pk)})"

    def hashtag_link(match):
        name = match.group(1)
        slug = tag_slug(name)
        if not slug:
            return match.group(0)
        result.tags.setdefault(slug, name)
        return f"[\\#{escape_md(name)}]({tag_url(slug)})"

    out = []
    for is_code, chunk in _outside_code(text):
        if not is_code:
            chunk = ITEM_RE.sub(item_link, chunk)
            chunk = MENTION_RE.sub(mention_link, chunk)
            chunk = HASHTAG_RE.sub(hashtag_link, chunk)
        out.append(chunk)
    result.html = render_markdown("".join(out))
    result.items = list(seen_items.values())
    return result

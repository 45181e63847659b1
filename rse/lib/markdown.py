"""Markdown → safe HTML, done once on write (STYLE: render once).

markdown-it-py parses (raw HTML disabled, so tags typed by a user are text), then nh3
(Ammonia) sanitises the result as defence in depth: an allow-list of tags, attributes
and URL schemes, so `javascript:` links, event handlers, SVG and data URIs never survive.
"""

import html
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "a", "img",
    "table", "thead", "tbody", "tr", "th", "td", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class", "data-item", "data-user"},
    "img": {"src", "alt", "title"},
    "span": {"class"},
    "code": {"class"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=1)
def _parser():
    return MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False}).enable(
        ["linkify", "strikethrough", "table"]
    )


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_markdown(text: str) -> str:
    """Return sanitised HTML for user-written markdown. Empty in, empty out."""
    if not text or not text.strip():
        return ""
    return sanitize_html(_parser().render(text))


_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|blockquote|pre|tr|td|th)>|<br\s*/?>|<hr\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def html_to_text(html_text: str) -> str:
    """The plain text a reader sees in rendered HTML, whitespace collapsed: what search indexes
    and quotes. Built from the stored HTML, never from the markdown, so whatever the rendering
    withholds from readers (a restricted item's name) is not in it either."""
    if not html_text:
        return ""
    text = _TAG.sub("", _BLOCK_END.sub(lambda m: f"{m.group(0)} ", html_text))
    return " ".join(html.unescape(text).split())

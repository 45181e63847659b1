"""Markdown on write: mentions, hashtags, [[items]], and the XSS corpus rendered harmless."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from communities import services
from communities.links import item_url, profile_url
from communities.models import Community, Tag
from communities.tests.factories import CommunityFactory, member
from communities.text import process
from repository.models import Item, ItemType
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

XSS_CORPUS = [
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "<img src=x onerror=alert(1)>",
    '<a href="#" onclick="alert(1)">x</a>',
    "<svg onload=alert(1)><circle/></svg>",
    "![pixel](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[data](data:text/html,<script>alert(1)</script>)",
    "<iframe src=//evil.example></iframe>",
    '<div style="background:url(javascript:alert(1))">',
    "<<script>script>alert(1)<</script>/script>",
    "<a href='javascript:alert(1)'>unclosed",
    "`<script>` in code is fine <b onmouseover=alert(1)>bold",
    "[x](vbscript:msgbox(1))",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]
SAFE_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "span",
}


class _Checker(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag not in SAFE_TAGS:
            self.problems.append(f"tag {tag}")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc", "formaction"):
                self.problems.append(f"attribute {name}")
            if name in ("href", "src") and value:
                scheme = value.strip().lower().split(":", 1)[0] if ":" in value else ""
                if scheme and scheme not in ("http", "https", "mailto"):
                    self.problems.append(f"{name}={value}")


def assert_harmless(html):
    """Structural check: only allowed tags, no event handlers or styles, only safe URL schemes.
    (Text that *reads* "javascript:" is harmless: it is text.)"""
    checker = _Checker()
    checker.feed(html)
    assert not checker.problems, (checker.problems, html)


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_xss_corpus_is_harmless_in_posts_comments_and_descriptions(payload, user, client):
    community = services.do_create_community(user, name="XSS lab", description_md=payload)
    post = services.do_create_post(user, community, title="t", body_md=payload)
    comment = services.do_create_comment(user, post, body_md=payload)
    for html in (community.description_html, post.body_html, comment.body_html):
        assert_harmless(html)
    client.force_login(user)
    for url in (reverse("post_detail", args=[post.pk]), reverse("community_detail", args=[community.slug])):
        page = client.get(url).content.decode().lower()
        # The only <script> tags on the page are ours (static files), and no handler survived.
        for chunk in page.split("<script")[1:]:
            assert chunk.lstrip().startswith("src="), chunk[:80]
        assert not re.search(r"<[^>]+\son\w+=", page)
        assert 'href="javascript:' not in page and 'src="data:' not in page


def test_preview_is_sanitised(logged_client):
    response = logged_client.post(reverse("markdown_preview"), {"body_md": "**hi** <script>x</script>"})
    assert b"<strong>hi</strong>" in response.content
    assert b"<script>x" not in response.content


def test_mentions_hashtags_and_items_become_links(user):
    camille = UserFactory(email="camille.durand@example.com", first_name="Camille", last_name="Durand")
    kind = ItemType.objects.create(name="Customer", slug="customer")
    acme = Item.objects.create(item_type=kind, name="Acme Corp", slug="acme-corp")
    result = process(
        "Hi @camille.durand, about [[Acme Corp]] and [[acme-corp]] #Qualité #2024 #5S `@camille.durand`", author=user
    )
    assert result.mentioned == [camille]
    assert f'href="{profile_url(camille.pk)}"' in result.html
    assert "@Camille Durand" in result.html
    assert result.tags == {"qualite": "Qualité", "5s": "5S"}
    assert reverse("tag_detail", args=["qualite"]) in result.html
    assert result.items == [acme]
    assert result.html.count(item_url("acme-corp")) == 2
    assert "<code>@camille.durand</code>" in result.html  # code is left alone
    assert "#2024" in result.html  # not a hashtag


def test_items_the_author_cannot_see_stay_plain_text(user):
    from django.contrib.auth.models import Group

    kind = ItemType.objects.create(name="Project", slug="project")
    secret = Item.objects.create(item_type=kind, name="Aurora", slug="aurora")
    secret.restricted_to.add(Group.objects.create(name="Board"))
    result = process("See [[Aurora]]", author=user)
    assert result.items == []
    assert item_url("aurora") not in result.html
    assert "[[Aurora]]" in result.html


def test_post_stores_items_and_hashtags_and_tag_page_lists_it(user, logged_client):
    kind = ItemType.objects.create(name="Product", slug="product")
    lamp = Item.objects.create(item_type=kind, name="Lamp X1", slug="lamp-x1")
    community = CommunityFactory()
    member(community, user)
    post = services.do_create_post(user, community, body_md="Launch of [[lamp-x1]] #launch")
    assert list(post.items.all()) == [lamp]
    assert Tag.objects.get(slug="launch").posts.filter(pk=post.pk).exists()
    page = logged_client.get(reverse("tag_detail", args=["launch"]))
    assert post.title in page.content.decode() or "Launch of" in page.content.decode()


def test_display_names_cannot_inject_markdown(user):
    UserFactory(email="evil@example.com", first_name="](javascript:alert(1))", last_name="<b>")
    html = process("hey @evil", author=user).html
    assert_harmless(html)
    assert "<b>" not in html


def test_community_description_is_rendered(user):
    community = services.do_create_community(user, name="Docs", description_md="# Title\n\n*nice*")
    assert "<em>nice</em>" in Community.objects.get(pk=community.pk).description_html

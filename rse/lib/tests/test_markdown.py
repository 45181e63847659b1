from html.parser import HTMLParser

import pytest

from rse.lib.markdown import render_markdown

XSS = [
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<img src=x onerror="alert(1)">',
    '<svg onload="alert(1)"><circle/></svg>',
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<div style="background:url(javascript:alert(1))">',
    "<iframe src='https://evil.example'></iframe>",
    "<<script>script>alert(1)<</script>/script>",
    '<a href="  JaVaScRiPt:alert(1)">y</a>',
    "[z](vbscript:msgbox(1))",
    "[ok](JAVASCRIPT:alert(1))",
    "<b onmouseover=alert(1)>broken <i>markup",
]
FORBIDDEN_TAGS = {"script", "svg", "iframe", "object", "embed", "style", "math", "form", "input"}
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href"}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _elements(html):
    parser = _Collector()
    parser.feed(html)
    return parser.tags


@pytest.mark.parametrize("source", XSS)
def test_dangerous_input_is_rendered_harmless(source):
    for tag, attrs in _elements(render_markdown(source)):
        assert tag not in FORBIDDEN_TAGS
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name != "style"
            if name in URL_ATTRS:
                assert value.strip().lower().split(":")[0] in {"http", "https", "mailto"} or ":" not in value


def test_markdown_is_rendered_and_links_are_safe():
    html = render_markdown("**bold** and https://example.com and [doc](https://intranet.example/doc)")
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.com"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert ("a", {"href": "https://intranet.example/doc", "rel": "noopener noreferrer nofollow"}) in _elements(html)


def test_typed_html_is_shown_as_text_not_dropped():
    assert "&lt;script&gt;" in render_markdown("<script>alert(1)</script>")


def test_empty_text_gives_empty_html():
    assert render_markdown("") == ""
    assert render_markdown("   \n") == ""

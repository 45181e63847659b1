"""`{% load memo %}{% memo user.is_staff %}…{% endmemo %}`: a fragment of the page shell rendered
once per process for each language and each value of its arguments, then copied.

Every page carries the same menus, links and language switcher: ~40 translations and ~25 URL
reversals per request, a fifth of a feed page's template time, for output that depends on the
language and a flag or two. A memo fragment is rendered with a placeholder for the CSRF token,
replaced by this request's token on the way out (as cards.py does for post cards).

The rule: everything the fragment reads that may differ between two requests is an argument
(the language always is, implicitly). Nothing else: no per-request values (the path, a count, a
name), no blocks, no includes of templates that read more. With settings.RSE_TEMPLATE_MEMO_CHECK
(DEBUG and the tests), each fragment is rendered every time and compared with the stored copy: a
variable forgotten in the arguments fails the first test that renders it for two different people.
"""

from django import template
from django.conf import settings
from django.utils.translation import get_language

register = template.Library()

CSRF_PLACEHOLDER = "rseMemoCsrfPlaceholder0"
MAX_ENTRIES = 1024  # per fragment: languages × argument values (a community's slug: one per community)


class MemoMismatch(AssertionError):
    pass


class MemoNode(template.Node):
    def __init__(self, nodelist, args, origin_name):
        self.nodelist, self.args, self.origin_name = nodelist, args, origin_name
        self.rendered = {}

    def render(self, context):
        token = context.get("csrf_token")
        if token is None:  # rendered outside a request (an e-mail, a test without one): as is
            return self.nodelist.render(context)
        key = (get_language(), *(arg.resolve(context) for arg in self.args))
        html = self.rendered.get(key)
        if html is None or settings.RSE_TEMPLATE_MEMO_CHECK:
            with context.push(csrf_token=CSRF_PLACEHOLDER):
                fresh = self.nodelist.render(context)
            if html is not None and fresh != html:
                raise MemoMismatch(f"{{% memo %}} in {self.origin_name} reads more than its arguments {key!r}")
            if key not in self.rendered and len(self.rendered) >= MAX_ENTRIES:
                try:
                    self.rendered.pop(next(iter(self.rendered), None), None)  # the oldest
                except RuntimeError:  # another thread changed it meanwhile: it evicts next time
                    pass
            self.rendered[key] = html = fresh
        return html.replace(CSRF_PLACEHOLDER, str(token)) if CSRF_PLACEHOLDER in html else html


@register.tag
def memo(parser, token):
    args = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    return MemoNode(nodelist, args, getattr(parser.origin, "template_name", "?"))

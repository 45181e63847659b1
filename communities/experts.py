"""Evidence for the directory's expert finder: accepted answers on a topic.

directory/ cannot import communities/, so this source registers itself with
directory.selectors.register_expert_source() from CommunitiesConfig.ready(). Only questions
in communities every employee may read count: the finder must not reveal anything about
private or secret communities, not even that someone answers there.
"""

from django.db.models import Count, Q
from django.utils.translation import ngettext

from communities.models import Post
from communities.permissions import PUBLICLY_READABLE

ACCEPTED_ANSWER_POINTS = 8


def accepted_answers_source(term: str, skill_ids: list[int]) -> dict[int, tuple[int, str]]:
    term = (term or "").strip().lstrip("#")
    if not term:
        return {}
    questions = Post.objects.alive().filter(
        kind=Post.Kind.QUESTION,
        accepted_comment__isnull=False,
        accepted_comment__deleted_at__isnull=True,
        community__visibility__in=PUBLICLY_READABLE,
        community__deleted_at__isnull=True,
    )
    matching = questions.filter(
        Q(title__icontains=term) | Q(body_text__icontains=term) | Q(hashtags__name__iexact=term)
    )
    rows = (
        matching.values("accepted_comment__author_id")
        .annotate(n=Count("id", distinct=True))
        .values_list("accepted_comment__author_id", "n")
    )
    return {
        author_id: (
            ACCEPTED_ANSWER_POINTS * n,
            ngettext("%(n)d accepted answer about “%(term)s”", "%(n)d accepted answers about “%(term)s”", n)
            % {"n": n, "term": term},
        )
        for author_id, n in rows
    }

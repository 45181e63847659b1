"""Who could answer a question, and which questions a person could answer.

The evidence is the directory's and communities': declared skills (with endorsements), and
answers accepted before. A question's topics are its hashtags and its community's tags; a skill
matches a topic when they read the same once slugged (communities.text.tag_slug), so "Python",
"#python" and "python" meet. Past accepted answers count in the same community and on questions
sharing a hashtag.
"""

from django.db.models import Count, Q

from communities.models import Post, Tag
from communities.text import tag_slug
from directory.models import Skill, UserSkill

SKILL_POINTS = 10
ENDORSEMENT_POINTS = 3
ACCEPTED_SAME_TOPIC_POINTS = 8
ACCEPTED_SAME_COMMUNITY_POINTS = 4


def question_topics(post) -> set[str]:
    """Tag slugs of the question and of its community."""
    return set(
        Tag.objects.filter(Q(posts=post) | Q(communities=post.community_id)).values_list("slug", flat=True).distinct()
    )


def skills_for_topics(topics) -> dict[int, str]:
    """{skill_id: name} of the skills whose slug reads like one of the topics."""
    if not topics:
        return {}
    return {pk: name for pk, name in Skill.objects.values_list("pk", "name") if tag_slug(name) in topics}


def experts_for_question(post) -> list[tuple[int, int, str]]:
    """[(user_id, score, reason)], best first, without the asker. Not filtered by access or
    preferences: the nudge service does that."""
    topics = question_topics(post)
    scores: dict[int, list] = {}
    skills = skills_for_topics(topics)
    if skills:
        declared = (
            UserSkill.objects.filter(skill_id__in=list(skills), user__is_active=True)
            .annotate(n=Count("endorsements"))
            .values_list("user_id", "skill__name", "n")
        )
        for user_id, name, n in declared:
            entry = scores.setdefault(user_id, [0, name])
            entry[0] += SKILL_POINTS + ENDORSEMENT_POINTS * n
    answered = Post.objects.alive().filter(
        kind=Post.Kind.QUESTION, accepted_comment__isnull=False, accepted_comment__deleted_at__isnull=True
    )
    same_topic = answered.filter(hashtags__slug__in=topics - {""}).exclude(pk=post.pk) if topics else answered.none()
    for user_id, n in (
        same_topic.values("accepted_comment__author_id")
        .annotate(n=Count("id", distinct=True))
        .values_list("accepted_comment__author_id", "n")
    ):
        entry = scores.setdefault(user_id, [0, "accepted answers on the topic"])
        entry[0] += ACCEPTED_SAME_TOPIC_POINTS * n
    in_community = answered.filter(community_id=post.community_id).exclude(pk=post.pk)
    for user_id, n in (
        in_community.values("accepted_comment__author_id")
        .annotate(n=Count("id"))
        .values_list("accepted_comment__author_id", "n")
    ):
        entry = scores.setdefault(user_id, [0, "accepted answers in the community"])
        entry[0] += ACCEPTED_SAME_COMMUNITY_POINTS * n
    scores.pop(post.author_id, None)
    return sorted(((uid, s, r) for uid, (s, r) in scores.items()), key=lambda t: (-t[1], t[0]))


def topics_of_user(user) -> tuple[set[str], set[int]]:
    """(tag slugs of my skills and of questions whose accepted answer is mine, communities where
    one of my answers was accepted)."""
    slugs = {tag_slug(name) for name in Skill.objects.filter(user_skills__user=user).values_list("name", flat=True)}
    mine = Post.objects.alive().filter(accepted_comment__author=user, accepted_comment__deleted_at__isnull=True)
    slugs |= set(Tag.objects.filter(posts__in=mine.values("pk")).values_list("slug", flat=True))
    communities = set(mine.values_list("community_id", flat=True).distinct())
    return slugs - {""}, communities

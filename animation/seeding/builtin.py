"""The built-in community templates, written in code so that they read in each person's
language. Their database rows (CommunityTemplate with a `key`) only anchor them: ids for the API
and the form, an administrator may switch one off or reorder it."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

KEYS = ["project", "practice", "customer", "site"]
NAMES = {
    "project": gettext_lazy("Project"),
    "practice": gettext_lazy("Community of practice"),
    "customer": gettext_lazy("Customer account"),
    "site": gettext_lazy("Site"),
}


@dataclass
class TemplateContent:
    name: str
    summary: str
    description_md: str
    charter_md: str
    tags: list[str]
    objectives_md: str
    visibility: str
    posts: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, title, body_md)


def _welcome():
    return (
        "discussion",
        _("Welcome! Start here"),
        _(
            "Welcome to this community. Read the charter in the description, then say hello below: "
            "who you are, what you work on, what you hope to find here."
        ),
    )


def _introduce():
    return (
        "discussion",
        _("Introduce yourself"),
        _("One line each: your name, your team, and one thing you could help the others with."),
    )


def _faq():
    return (
        "question",
        _("FAQ: what belongs here, and what does not?"),
        _("Ask your questions about how this community works; the animators keep the answers up to date."),
    )


def _charter():
    return _(
        "1. Be kind and assume good intent.\n"
        "2. Search before you ask; answer when you know.\n"
        "3. Nothing confidential outside the people who may read it.\n"
        "4. Mark the answer that solved your question."
    )


def content(key) -> TemplateContent:
    """The texts of a built-in template, in the active language."""
    common_posts = [_welcome(), _introduce(), _faq()]
    if key == "project":
        return TemplateContent(
            name=str(NAMES[key]),
            summary=_("A team delivering something together: decisions, milestones, risks."),
            description_md=_("The project's home: decisions, milestones, risks and who does what."),
            charter_md=_charter(),
            tags=[_("project"), _("milestones"), _("decisions")],
            objectives_md=_("Every decision written down; every question answered within two days."),
            visibility="private",
            posts=[
                *common_posts,
                ("discussion", _("Milestones and calendar"), _("The next milestones, and who owns each one.")),
            ],
        )
    if key == "practice":
        return TemplateContent(
            name=str(NAMES[key]),
            summary=_("People sharing a craft across teams and sites: questions, tips, good practice."),
            description_md=_("Practitioners sharing questions, tips and good practice across teams and sites."),
            charter_md=_charter(),
            tags=[_("good practice"), _("tips")],
            objectives_md=_("Most questions answered by a peer within a day; one shared practice a month."),
            visibility="open",
            posts=[
                *common_posts,
                (
                    "question",
                    _("Which practice should we write down first?"),
                    _("Suggest one, and vote with a reaction."),
                ),
            ],
        )
    if key == "customer":
        return TemplateContent(
            name=str(NAMES[key]),
            summary=_("Everyone who serves one customer: news, visits, opportunities, issues."),
            description_md=_("Everyone who serves this customer: news, visits, opportunities and open issues."),
            charter_md=_charter(),
            tags=[_("customer"), _("key account")],
            objectives_md=_("Nobody visits the customer without knowing the latest news."),
            visibility="restricted",
            posts=[
                *common_posts,
                ("discussion", _("Account plan"), _("Who the customer is, what they buy, what is coming.")),
            ],
        )
    return TemplateContent(
        name=str(NAMES["site"]),
        summary=_("Life at one site: events, practical information, car-sharing."),
        description_md=_("Life at our site: events, practical information, car-sharing, lost and found."),
        charter_md=_charter(),
        tags=[_("site life"), _("events")],
        objectives_md=_("Every newcomer at the site finds their way in the first week."),
        visibility="open",
        posts=[
            *common_posts,
            ("discussion", _("Practical information"), _("Opening hours, canteen, parking, who to call.")),
        ],
    )

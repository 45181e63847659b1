"""Demo organisation: 3 sites, 12 org units, about 150 employees with managers, titles, skills."""

from django.utils.text import slugify

from directory.models import Contact, Endorsement, Follow, OrgUnit, Profile, Site, Skill, UserSkill
from directory.services import contact_match_key, index_contact
from rse.accounts.demo import DEMO_ACCOUNTS, get_or_create_demo_user
from rse.accounts.models import User
from rse.accounts.roles import Role
from rse.accounts.services import do_grant_role
from rse.lib.demo import demo_random, seeder
from rse.lib.markdown import render_markdown
from rse.lib.text import normalize

SITES = [
    ("Paris — La Défense", "Paris", "FR"),
    ("Lyon — Part-Dieu", "Lyon", "FR"),
    ("Nantes — Île de Nantes", "Nantes", "FR"),
]

# (name, kind, parent name, job titles of its members)
ORG_UNITS = [
    ("Groupe Lumen", "company", None, ["Chief Executive Officer"]),
    ("Operations", "division", "Groupe Lumen", ["Chief Operating Officer"]),
    ("Manufacturing", "department", "Operations", ["Production engineer", "Line supervisor", "Quality technician"]),
    ("Supply chain", "department", "Operations", ["Supply planner", "Buyer", "Logistics coordinator"]),
    ("Sales & Marketing", "division", "Groupe Lumen", ["Chief Commercial Officer"]),
    ("Key accounts", "department", "Sales & Marketing", ["Key account manager", "Sales engineer", "Bid manager"]),
    (
        "Marketing",
        "department",
        "Sales & Marketing",
        ["Product marketing manager", "Content manager", "Brand designer"],
    ),
    ("Technology", "division", "Groupe Lumen", ["Chief Technology Officer"]),
    ("Research & development", "department", "Technology", ["R&D engineer", "Data scientist", "Lab technician"]),
    ("IT", "department", "Technology", ["Software developer", "System administrator", "IT project manager"]),
    ("Corporate", "division", "Groupe Lumen", ["Chief Financial Officer"]),
    (
        "People & Communications",
        "department",
        "Corporate",
        ["HR business partner", "Internal communications officer", "Recruiter"],
    ),
]

FIRST_NAMES = [
    "Hélène", "Julien", "Sophie", "Thomas", "Chloé", "Nicolas", "Manon", "Antoine", "Inès", "Maxime",
    "Émilie", "Lucas", "Sarah", "Mathieu", "Laura", "Romain", "Clara", "Quentin", "Pauline", "Kevin",
    "Anaïs", "Benoît", "Céline", "Damien", "Élodie", "François", "Gaëlle", "Yannick", "Aurélie", "Karim",
    "Nadia", "Olivier", "Amandine", "Sébastien", "Zoé", "Mehdi", "Jérôme", "Noémie", "Cédric", "Fatou",
]  # fmt: skip
LAST_NAMES = [
    "Lefèvre", "Moreau", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez",
    "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas",
    "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin",
    "Masson", "Sanchez", "Gérard", "Nguyen", "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gaillard",
]  # fmt: skip
SKILLS = [
    "Lean manufacturing", "Six Sigma", "SAP", "Python", "Django", "Data analysis", "Machine learning", "Negotiation",
    "Public speaking", "Project management", "Agile", "Supply planning", "Procurement", "Excel", "Power BI",
    "Technical writing", "UX design", "Photography", "German", "Spanish", "Customer success", "Cybersecurity",
    "Kubernetes", "Quality management", "ISO 9001", "Recruiting", "Employment law", "Copywriting", "Video editing",
    "Energy efficiency",
]  # fmt: skip
EMPLOYEES = 150
DOMAIN = "demo.rse.example"


def _ascii(value):
    return normalize(value).replace(" ", "-").replace("'", "")


@seeder(10)
def seed_directory():
    rng = demo_random("directory")
    sites = []
    for name, city, country in SITES:
        site, _ = Site.objects.get_or_create(
            slug=slugify(name), defaults={"name": name, "city": city, "country": country}
        )
        sites.append(site)
    units = {}
    for name, kind, parent, _titles in ORG_UNITS:
        unit, _ = OrgUnit.objects.get_or_create(
            slug=slugify(name), defaults={"name": name, "kind": kind, "parent": units.get(parent)}
        )
        units[name] = unit
    skills = []
    for name in SKILLS:
        skill, _ = Skill.objects.get_or_create(slug=slugify(name), defaults={"name": name})
        skills.append(skill)

    # People: the named demo accounts first, then generated colleagues. Same names every run.
    people = [get_or_create_demo_user(e, f, ln) for e, f, ln, _ in DEMO_ACCOUNTS]
    seen = {u.email for u in people}
    i = 0
    while len(people) < EMPLOYEES:
        first, last = FIRST_NAMES[i % len(FIRST_NAMES)], LAST_NAMES[(i * 7 + i // len(FIRST_NAMES)) % len(LAST_NAMES)]
        email = f"{_ascii(first)}.{_ascii(last)}@{DOMAIN}"
        i += 1
        if email in seen:
            continue
        seen.add(email)
        people.append(get_or_create_demo_user(email, first, last))
    employee_group_users = set(User.objects.filter(groups__name=Role.EMPLOYEE.value).values_list("id", flat=True))
    for user in people:
        if user.id not in employee_group_users:
            do_grant_role(user, Role.EMPLOYEE)

    # Assign units: one head per unit (the first people), the rest spread over departments.
    unit_list = [units[name] for name, *_ in ORG_UNITS]
    heads = {unit.name: people[idx + 5] for idx, unit in enumerate(unit_list)}
    heads["People & Communications"] = people[3]  # Léa, the HR analyst, runs HR
    departments = [u for u in unit_list if u.kind == "department"]
    titles = {name: t for name, _k, _p, t in ORG_UNITS}
    parents = {name: p for name, _k, p, _t in ORG_UNITS}
    fixed_units = {0: "IT", 1: "Marketing", 2: "People & Communications", 4: "Key accounts"}
    for idx, user in enumerate(people):
        head_of = next((name for name, head in heads.items() if head == user), None)
        if head_of:
            unit_name = head_of
            title = titles[head_of][0] if units[head_of].kind != "department" else f"Head of {head_of}"
            manager = heads.get(parents[head_of]) if parents[head_of] else None
        else:
            unit_name = fixed_units.get(idx) or departments[idx % len(departments)].name
            title = rng.choice(titles[unit_name])
            manager = heads[unit_name]
        profile, created = Profile.objects.get_or_create(user=user)
        if created or not profile.job_title:
            profile.employee_id = f"E{10000 + idx}"
            profile.job_title = title
            profile.org_unit = units[unit_name]
            profile.site = sites[idx % len(sites)] if idx % 5 else sites[0]
            profile.manager = manager
            profile.phone_work = f"+33 1 40 00 {idx // 100:02d} {idx % 100:02d}"
            profile.phone_mobile = f"+33 6 12 34 {idx // 100:02d} {idx % 100:02d}"
            profile.phone_mobile_visibility = (
                Profile.Visibility.NOBODY if idx % 4 == 0 else Profile.Visibility.COLLEAGUES
            )
            profile.languages = "fr,en" if idx % 3 else "fr,en,de"
            profile.search_name = normalize(f"{user.first_name} {user.last_name}")
            profile.save()
    have_skills = set(UserSkill.objects.values_list("user_id", flat=True))
    UserSkill.objects.bulk_create(
        [
            UserSkill(user=user, skill=skill)
            for user in people
            if user.id not in have_skills
            for skill in rng.sample(skills, rng.randint(2, 5))
        ],
        ignore_conflicts=True,
    )
    # Everyone follows their manager; a few follows across teams. Own generator: the one above is
    # consumed differently on a second run (skills are only drawn once), and follows must not change.
    follow_rng = demo_random("directory-follows")
    follows = [
        Follow(follower_id=profile.user_id, followed_id=profile.manager_id)
        for profile in Profile.objects.filter(user__in=people, manager__isnull=False)
    ]
    for user in people[:40]:
        other = people[follow_rng.randrange(len(people))]
        if other != user:
            follows.append(Follow(follower=user, followed=other))
    Follow.objects.bulk_create(follows, ignore_conflicts=True)
    endorsements = _seed_endorsements(people)
    contacts = _seed_contacts(people)
    _seed_bios(people)
    return (
        f"{len(people)} people, {len(unit_list)} org units, {len(sites)} sites, {len(skills)} skills, "
        f"{endorsements} endorsements, {contacts} contacts"
    )


def _seed_endorsements(people):
    """Colleagues of the same unit endorse some of each other's skills (same pairs every run)."""
    rng = demo_random("directory-endorsements")
    unit_of = dict(Profile.objects.filter(user__in=people).values_list("user_id", "org_unit_id"))
    by_unit = {}
    for user in people:
        by_unit.setdefault(unit_of.get(user.id), []).append(user.id)
    rows = []
    for user_skill in UserSkill.objects.filter(user__in=people).order_by("user_id", "skill__name"):
        team = [uid for uid in by_unit.get(unit_of.get(user_skill.user_id), []) if uid != user_skill.user_id]
        endorsers = rng.sample(team, min(len(team), rng.randint(0, 4)))
        rows.extend(Endorsement(user_skill=user_skill, endorser_id=endorser) for endorser in endorsers)
    Endorsement.objects.bulk_create(rows, ignore_conflicts=True)
    return Endorsement.objects.count()


DEMO_CONTACTS = [
    ("Claire Rousset", "Acier Durable SA", "Purchasing director", "claire.rousset@acier-durable.example", ["customer"]),
    ("Tom Becker", "Becker Logistik GmbH", "Account manager", "t.becker@becker-logistik.example", ["supplier"]),
    ("Ana Ribeiro", "Lisboa Labs", "CTO", "ana@lisboa-labs.example", ["partner", "R&D"]),
    ("Yves Martin", "Cabinet Martin & Associés", "Employment lawyer", "yves.martin@cabinet-martin.example", ["legal"]),
]


def _seed_contacts(people):
    """A few external contacts and starred colleagues in the named demo accounts' books."""
    owners = people[:5]
    rows = []
    for owner_index, owner in enumerate(owners):
        for name, company, title, email, tags in DEMO_CONTACTS[: 2 + owner_index % 3]:
            contact = Contact(
                owner=owner, name=name, company=company, job_title=title, emails=[email], tags=tags, phones=[]
            )
            contact.match_key = contact_match_key(name, company, [email])
            index_contact(contact)
            rows.append(contact)
        for colleague in people[10 + owner_index : 13 + owner_index]:
            contact = Contact(owner=owner, colleague=colleague, name=f"{colleague.first_name} {colleague.last_name}")
            contact.emails = [colleague.email]
            contact.match_key = f"user:{colleague.id}"
            index_contact(contact)
            rows.append(contact)
    Contact.objects.bulk_create(rows, ignore_conflicts=True)
    return Contact.objects.filter(owner__in=owners).count()


def _seed_bios(people):
    for profile in Profile.objects.filter(user__in=people[:5], bio_md=""):
        profile.bio_md = (
            f"I work in **{profile.org_unit.name if profile.org_unit_id else 'the group'}**. "
            "Ask me about the topics listed on the right, or [write to me](mailto:" + profile.user.email + ")."
        )
        profile.bio_html = render_markdown(profile.bio_md)
        profile.save(update_fields=["bio_md", "bio_html", "updated_at"])

import factory

from directory.models import Contact, OrgUnit, Profile, Site, Skill, UserSkill
from rse.accounts.tests.factories import UserFactory
from rse.lib.text import normalize


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"Site {n}")
    slug = factory.Sequence(lambda n: f"site-{n}")


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    name = factory.Sequence(lambda n: f"Unit {n}")
    slug = factory.Sequence(lambda n: f"unit-{n}")


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill

    name = factory.Sequence(lambda n: f"Skill {n}")
    slug = factory.Sequence(lambda n: f"skill-{n}")


class ProfileFactory(factory.django.DjangoModelFactory):
    """A profile with its user; search_name filled like the services do."""

    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory)
    job_title = "Engineer"
    phone_work = "+33 1 00 00 00 00"
    phone_mobile = factory.Sequence(lambda n: f"+33 6 00 00 {n // 100:02d} {n % 100:02d}")
    search_name = factory.LazyAttribute(lambda p: normalize(f"{p.user.first_name} {p.user.last_name}"))


def person(first_name="Ann", last_name="Example", **kwargs):
    user_fields = {k: kwargs.pop(k) for k in ("email", "is_active") if k in kwargs}
    user = UserFactory(first_name=first_name, last_name=last_name, **user_fields)
    return ProfileFactory(user=user, **kwargs)


class UserSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserSkill

    user = factory.SubFactory(UserFactory)
    skill = factory.SubFactory(SkillFactory)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    emails = factory.Sequence(lambda n: [f"contact{n}@external.example"])
    match_key = factory.LazyAttribute(lambda c: f"email:{c.emails[0]}" if c.emails else f"name:{c.name}")
    search_text = factory.LazyAttribute(lambda c: normalize(f"{c.name} {' '.join(c.emails)}"))

from functools import cache

from django.contrib.auth.hashers import make_password

from rse.accounts.models import User
from rse.accounts.roles import Role
from rse.accounts.services import do_grant_role
from rse.lib.demo import seeder

DEMO_PASSWORD = "demo-rse-2026"  # noqa: S105 - printed in the README on purpose

# The accounts every demo needs, with the role they show off. directory.demo gives them a profile.
DEMO_ACCOUNTS = [
    ("admin@demo.rse.example", "Alice", "Martin", Role.ADMINISTRATOR),
    ("camille.durand@demo.rse.example", "Camille", "Durand", Role.COMMUNITY_MANAGER),
    ("hugo.bernard@demo.rse.example", "Hugo", "Bernard", Role.INTERNAL_COMMS),
    ("lea.petit@demo.rse.example", "Léa", "Petit", Role.HR_ANALYST),
    ("marc.dubois@demo.rse.example", "Marc", "Dubois", Role.EMPLOYEE),
]


@cache
def _demo_password_hash():
    # Hashing is deliberately slow; 150 people share one hash (each with the same salt: demo only).
    return make_password(DEMO_PASSWORD)


def get_or_create_demo_user(email, first_name, last_name, **extra):
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, first_name=first_name, last_name=last_name, password=_demo_password_hash(), **extra)
        user.save()
    return user


@seeder(0)
def seed_accounts():
    for email, first, last, role in DEMO_ACCOUNTS:
        user = get_or_create_demo_user(email, first, last)
        do_grant_role(user, Role.EMPLOYEE)
        do_grant_role(user, role)
    return f"{len(DEMO_ACCOUNTS)} demo accounts"

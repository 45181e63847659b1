"""Issue 3 "Done when", as people live it in a browser: a new user finds an expert by skill,
opens the profile and follows the person; imports a LinkedIn export (upload → preview → confirm)
and sees colleagues suggested; an HR analyst syncs the employee list and reads a clear report."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from directory.models import Follow
from directory.tests.factories import SkillFactory, UserSkillFactory, person
from rse.accounts.models import User
from rse.accounts.roles import Role
from rse.accounts.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DATA = Path(__file__).resolve().parents[2] / "directory" / "tests" / "data"


def test_a_new_user_finds_an_expert_by_skill_opens_the_profile_and_follows(page, login):
    newcomer = person("Nina", "Nouveau").user
    expert = person("Élodie", "Martin", job_title="Lean coach").user
    UserSkillFactory(user=expert, skill=SkillFactory(name="Lean manufacturing", slug="lean-manufacturing"))
    person("Paul", "Autre")  # someone without the skill

    login(newcomer)
    page.get_by_role("navigation").get_by_role("link", name="People").first.click()
    page.get_by_role("link", name="Who knows…").click()
    page.get_by_label("A skill or a topic").fill("lean")
    page.get_by_role("button", name="Find experts").click()
    results = page.get_by_role("region", name=re.compile("People who know"))
    expect(results.get_by_role("link", name="Élodie Martin")).to_be_visible()
    expect(results.get_by_text("Paul Autre")).to_have_count(0)

    results.get_by_role("link", name="Élodie Martin").click()
    expect(page.get_by_role("heading", level=1, name="Élodie Martin")).to_be_visible()
    expect(page.get_by_text("Lean manufacturing").first).to_be_visible()
    page.get_by_role("main").get_by_role("button", name="Follow", exact=True).click()
    expect(page.get_by_role("main").get_by_role("button", name="Following")).to_be_visible()
    assert Follow.objects.filter(follower=newcomer, followed=expert).exists()
    page.reload()  # it stuck
    expect(page.get_by_role("main").get_by_role("button", name="Following")).to_be_visible()


def test_a_new_user_imports_a_linkedin_export_and_sees_colleagues_suggested(page, login):
    newcomer = person("Nina", "Nouveau").user
    person("Camille", "Durand", email="camille.durand@demo.rse.example", job_title="Community manager")

    login(newcomer)
    page.get_by_role("navigation").get_by_role("link", name="People").first.click()
    page.get_by_role("link", name="Suggestions").click()
    page.get_by_role("link", name="Import your LinkedIn connections").click()
    expect(page.get_by_role("heading", level=1, name="Import: LinkedIn connections")).to_be_visible()
    page.get_by_label(re.compile(r"^File")).set_input_files(DATA / "Connections.csv")
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_role("heading", name="Preview: what will happen")).to_be_visible()
    expect(page.get_by_role("cell", name="Camille Durand")).to_be_visible()
    page.get_by_role("button", name="Confirm the import").click()

    expect(page.get_by_text("Import finished.")).to_be_visible()
    page.get_by_role("link", name="See the colleagues suggested to follow").click()
    expect(page.get_by_role("main").get_by_role("link", name="Camille Durand")).to_be_visible()
    page.get_by_role("main").get_by_role("button", name="Follow", exact=True).first.click()
    expect(page.get_by_role("main").get_by_role("button", name="Following").first).to_be_visible()


def test_an_hr_analyst_syncs_the_employee_list_and_reads_a_clear_report(page, login, tmp_path):
    analyst = UserFactory(first_name="Léa", last_name="Petit")
    analyst.groups.add(Group.objects.get_or_create(name=Role.HR_ANALYST.value)[0])
    csv = tmp_path / "employees.csv"
    csv.write_text(
        (DATA / "hr_employees.csv").read_text(encoding="utf-8")
        + "E9,not-an-email,Bad,Mail,Buyer,Groupe Lumen,Paris,E1,yes\n",
        encoding="utf-8",
    )

    login(analyst)
    page.get_by_role("navigation").get_by_role("link", name="People").first.click()
    page.get_by_role("link", name="HR sync").click()
    page.get_by_label(re.compile(r"^File")).set_input_files(csv)
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_role("heading", name="Preview: what will happen")).to_be_visible()
    rejected = page.get_by_role("region", name="Rejected rows")
    expect(rejected.get_by_role("cell", name=re.compile("e-mail", re.I))).to_be_visible()
    assert not User.objects.filter(email="chloe.girard@lumen.example").exists()  # nothing written yet
    page.get_by_role("button", name="Confirm the import").click()

    report = page.locator("#import-progress")
    expect(report.get_by_text("Import finished.")).to_be_visible()
    expect(report.get_by_role("definition").first).to_be_visible()
    expect(rejected.get_by_role("row")).to_have_count(2)  # header + the bad e-mail row
    assert User.objects.get(email="chloe.girard@lumen.example").is_active
    assert not User.objects.get(email="hugo.leaver@lumen.example").is_active

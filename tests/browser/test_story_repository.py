"""Issue 4 "Done when", as a new user lives it in a browser: open a customer, see every
conversation about it from every community they can read (and none from a private community they
are not in), upload a new version of a document and see the history."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from communities.models import Community
from communities.services.posts import do_create_post
from communities.tests.factories import CommunityFactory, member
from repository.services import do_add_document
from repository.tests.factories import ItemFactory, ItemTypeFactory
from rse.accounts.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_user_opens_a_customer_and_sees_every_conversation_they_may_read(page, login):
    newcomer = UserFactory(first_name="Nina", last_name="Nouveau")
    sales = UserFactory(first_name="Sam", last_name="Sales")
    ItemFactory(
        item_type=ItemTypeFactory(name="Customer", slug="customer"), name="Aéroline Industries", slug="aeroline"
    )
    open_c = CommunityFactory(name="Aerospace", visibility=Community.Visibility.OPEN)
    restricted = CommunityFactory(name="Key accounts", visibility=Community.Visibility.RESTRICTED)
    private = CommunityFactory(name="Management committee", visibility=Community.Visibility.PRIVATE)
    for community in (open_c, restricted, private):
        member(community, sales)
    member(restricted, newcomer)
    first = do_create_post(sales, open_c, title="Visit next week", body_md="Visit at [[Aéroline Industries]].")
    do_create_post(sales, restricted, title="Contract renewal", body_md="Renewal for [[Aéroline Industries]].")
    do_create_post(sales, private, title="Margin too low", body_md="Margin on [[Aéroline Industries]].")
    do_create_post(sales, open_c, title="Unrelated lunch")

    login(newcomer)
    page.get_by_role("navigation").get_by_role("link", name="Repository").first.click()
    page.get_by_label("Search the repository").fill("aeroline")
    page.get_by_label("Search the repository").press("Enter")
    page.get_by_role("main").get_by_role("link", name="Aéroline Industries").first.click()
    expect(page.get_by_role("heading", level=1, name="Aéroline Industries")).to_be_visible()

    conversations = page.get_by_role("region", name="Conversations")
    expect(conversations.get_by_role("link", name="Visit next week")).to_be_visible()
    expect(conversations.get_by_role("link", name="Contract renewal")).to_be_visible()
    expect(conversations.get_by_text("in Key accounts", exact=False)).to_be_visible()
    expect(conversations.get_by_role("listitem")).to_have_count(2)
    expect(page.get_by_text("Margin too low")).to_have_count(0)
    expect(page.get_by_text("Management committee")).to_have_count(0)

    conversations.get_by_role("link", name="Visit next week").click()
    page.wait_for_url(f"**/posts/{first.pk}/")
    expect(page.get_by_role("heading", name="Visit next week")).to_be_visible()


def test_a_new_user_uploads_a_new_version_of_a_document_and_sees_the_history(page, login, tmp_path):
    newcomer = UserFactory(first_name="Nina", last_name="Nouveau")
    owner = UserFactory(first_name="Alice", last_name="Martin")
    customer = ItemFactory(
        item_type=ItemTypeFactory(name="Customer", slug="customer"), name="Bretagne Composites", slug="bretagne"
    )
    do_add_document(
        owner, customer, name="Account plan", uploaded=SimpleUploadedFile("plan.txt", b"first draft"), comment="Draft"
    )
    new_file = tmp_path / "plan-v2.txt"
    new_file.write_text("second version, signed off")

    login(newcomer)
    page.goto("/repository/items/bretagne/")
    documents = page.get_by_role("region", name="Documents")
    expect(documents.get_by_text(re.compile(r"v1 ·"))).to_be_visible()
    documents.get_by_role("link", name="Account plan", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Account plan")).to_be_visible()
    page.get_by_label(re.compile(r"^New version")).set_input_files(new_file)
    page.get_by_label("What changed?").fill("Signed off by the customer")
    page.get_by_role("button", name="Upload").click()

    versions = page.get_by_role("region", name="Versions")
    expect(versions.get_by_role("row")).to_have_count(3)  # header + v2 + v1
    current = versions.get_by_role("row", name=re.compile("current"))
    expect(current).to_contain_text("v2")
    expect(current).to_contain_text("plan-v2.txt")
    expect(current).to_contain_text("Nina Nouveau")
    expect(versions.get_by_role("link", name="Download version 1")).to_be_visible()

    page.get_by_role("link", name=re.compile("Bretagne Composites")).click()
    history = page.get_by_role("region", name="History")
    expect(history.get_by_text(re.compile("Nina Nouveau")).first).to_be_visible()
    expect(history.get_by_text("uploaded a new version").first).to_be_visible()
    expect(page.get_by_role("region", name="Documents").get_by_text(re.compile(r"v2 ·"))).to_be_visible()

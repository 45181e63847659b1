"""The interface ships in English and French: the French catalogue must be complete, its
placeholders must match the English ones, the compiled .mo must be committed and in step
with the .po, and pages must really render in French when the person chose French."""

import re
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES"
DOMAINS = ["django", "djangojs"]

# %(name)s, %(size).1f, %s, %d, %%, {name}, __COUNT__, and HTML tags.
PLACEHOLDER = re.compile(
    r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%%|%[sdif]|\{[a-zA-Z_][\w.]*\}|__[A-Z]+__|</?[a-zA-Z][^>]*>"
)


def placeholders(text):
    return Counter(PLACEHOLDER.findall(text))


def live_entries(domain):
    return [e for e in polib.pofile(str(LOCALE_DIR / f"{domain}.po")) if not e.obsolete]


def translations(entry):
    """(English source, French translation) pairs of an entry, one per plural form."""
    if entry.msgid_plural:
        return [
            (entry.msgid if index == 0 else entry.msgid_plural, text)
            for index, text in sorted(entry.msgstr_plural.items())
        ]
    return [(entry.msgid, entry.msgstr)]


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_french_string_is_translated_and_not_fuzzy(domain):
    entries = live_entries(domain)
    assert entries, f"{domain}.po has no entries"
    problems = []
    for entry in entries:
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        for _source, text in translations(entry):
            if not text.strip():
                problems.append(f"empty: {entry.msgid!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("domain", DOMAINS)
def test_placeholders_match_between_english_and_french(domain):
    problems = []
    for entry in live_entries(domain):
        for source, text in translations(entry):
            if placeholders(source) != placeholders(text):
                problems.append(f"{entry.msgid!r}: {dict(placeholders(source))} ≠ {dict(placeholders(text))}")
    assert not problems, "\n".join(problems)


def test_placeholder_check_can_fail():
    assert placeholders("%(n)s of %(total)s rows") != placeholders("%(n)s lignes sur %(totl)s")
    assert placeholders("<b>%s</b> 50%%") != placeholders("<b>%s 50 %%")
    assert placeholders("Read by %(n)s (%(rate)s%%).") == placeholders("Lu par %(n)s (%(rate)s %%).")


@pytest.mark.parametrize("domain", DOMAINS)
def test_compiled_catalogue_is_committed_and_in_step_with_the_po(domain):
    mo_path = LOCALE_DIR / f"{domain}.mo"
    assert mo_path.exists(), f"run: manage.py compilemessages --ignore=.venv ({domain}.mo missing)"
    compiled = {}
    for entry in polib.mofile(str(mo_path)):
        compiled[(entry.msgctxt, entry.msgid)] = entry.msgstr_plural or entry.msgstr
    stale = []
    for entry in live_entries(domain):
        expected = {int(k): v for k, v in entry.msgstr_plural.items()} if entry.msgid_plural else entry.msgstr
        got = compiled.get((entry.msgctxt, entry.msgid))
        if isinstance(got, dict):
            got = {int(k): v for k, v in got.items()}
        if got != expected:
            stale.append(entry.msgid)
    assert not stale, f"{domain}.mo is stale, run compilemessages: {stale[:10]}"


def test_gettext_uses_the_committed_french_catalogue():
    with translation.override("fr"):
        assert translation.gettext("Communities") == "Communautés"
        assert translation.ngettext("%(n)s member", "%(n)s members", 3) % {"n": 3} == "3 membres"
        assert translation.ngettext("%(n)s member", "%(n)s members", 1) % {"n": 1} == "1 membre"
        # French counts zero as singular: the catalogue's own Plural-Forms header is in use.
        assert translation.ngettext("%(n)s member", "%(n)s members", 0) % {"n": 0} == "0 membre"


@pytest.mark.parametrize("domain", DOMAINS)
def test_catalogue_header_is_french_and_not_fuzzy(domain):
    po = polib.pofile(str(LOCALE_DIR / f"{domain}.po"))
    assert not po.metadata_is_fuzzy, "a fuzzy header is dropped by msgfmt, losing Plural-Forms"
    assert po.metadata["Language"] == "fr"
    assert po.metadata["Plural-Forms"].replace(" ", "") == "nplurals=2;plural=(n>1);"


PAGES = [
    # (url name, French words expected, English words that must not show)
    ("home", ["Mon fil d’actualité", "L’essentiel", "Trouver des communautés"], ["My feed", "Find communities"]),
    ("community_list", ["Communautés", "Créer une communauté"], ["Create a community", "Search communities"]),
    ("directory:index", ["Rechercher dans l’annuaire", "Compétence"], ["Search the directory", "Org unit"]),
    (
        "repository:browse",
        ["Référentiel", "Rechercher dans le référentiel", "Aucun élément pour l’instant."],
        ["Search the repository", "No item yet."],
    ),
    (
        "notifications:list",
        ["Vos notifications", "Préférences", "Aucune notification pour l’instant."],
        ["Your notifications", "No notifications yet."],
    ),
]


def french_client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "french", "english"), PAGES)
def test_pages_render_in_french(logged_client, name, french, english):
    english_html = logged_client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for word in english:
        assert word in english_html, f"{word!r} should be on {name} in English"
    response = french_client(logged_client).get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    for word in french:
        assert word in html, f"{word!r} missing from {name} in French"
    for word in english:
        assert word not in html, f"English {word!r} left on {name} in French"


@pytest.mark.django_db
def test_pages_stay_english_by_default(logged_client):
    html = logged_client.get(reverse("community_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Create a community" in html
    assert "Créer une communauté" not in html


@pytest.mark.django_db
def test_set_language_switches_to_french(logged_client):
    response = logged_client.post(reverse("set_language"), {"language": "fr", "next": "/communities/"})
    assert response.status_code == 302
    html = logged_client.get(reverse("community_list")).content.decode()
    assert "Créer une communauté" in html


@pytest.mark.django_db
def test_the_language_chosen_on_the_site_is_the_language_of_my_emails(logged_client, user, client):
    from communities.notifications.emails import language_of

    assert language_of(user) == "en"
    logged_client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    user.refresh_from_db()
    assert user.language == "fr" and language_of(user) == "fr"
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302  # anonymous: fine


@pytest.mark.django_db
def test_javascript_catalogue_is_french(client):
    body = french_client(client).get(reverse("javascript-catalog")).content.decode()
    assert "Aper\\u00e7u" in body or "Aperçu" in body


@pytest.mark.django_db
def test_item_history_names_a_new_document_version_in_french(logged_client, user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from repository import services
    from repository.tests.factories import ItemFactory, ItemTypeFactory

    item = ItemFactory(item_type=ItemTypeFactory(name="Customer", slug="customer"), name="Acme", slug="acme")
    document = services.do_add_document(user, item, name="Plan", uploaded=SimpleUploadedFile("plan.txt", b"one"))
    services.do_add_document_version(user, document, uploaded=SimpleUploadedFile("plan.txt", b"two"))
    url = reverse("repository:item_history", args=[item.slug])
    assert "Document “Plan”" in logged_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    html = french_client(logged_client).get(url).content.decode()
    assert "Document « Plan »" in html
    assert "document “Plan”" not in html

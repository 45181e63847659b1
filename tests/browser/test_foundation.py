import pytest

from rse.accounts.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_user_logs_in_lands_home_and_logs_out(page, login):
    user = UserFactory(first_name="Hélène")
    login(user)
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Hélène"
    page.locator("details.menu > summary").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")
    assert page.get_by_role("heading", name="Log in").is_visible()


def test_the_profile_menu_closes_with_escape_and_when_focus_leaves_it(page, login):
    login(UserFactory())
    menu = page.locator("details.menu")
    page.locator("details.menu > summary").click()
    assert menu.get_attribute("open") is not None
    page.keyboard.press("Tab")  # into the menu
    page.keyboard.press("Escape")
    assert menu.get_attribute("open") is None
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Enter")
    assert menu.get_attribute("open") is not None
    page.get_by_role("main").locator("a, button, input").first.focus()  # focus leaves the menu
    assert menu.get_attribute("open") is None


def test_wrong_password_shows_an_error_and_keeps_the_email(page):
    user = UserFactory()
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").first.is_visible()
    assert page.get_by_label("E-mail address").input_value() == user.email


def test_phone_width_has_no_horizontal_scroll_and_french_works(browser, live_server):
    user = UserFactory()
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill("pass-word-123")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
    assert page.get_by_role("search").is_visible()
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("link", name="Accueil").first.is_visible()
    context.close()


def test_the_api_documentation_works_without_internet(page, login):
    """Swagger UI comes from our own static files (drf-spectacular-sidecar), never from a CDN."""
    login(UserFactory())
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto("/api/v1/docs/")
    page.locator(".swagger-ui .info .title").wait_for(timeout=15000)
    assert "RSE API" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock-tag").count() > 3  # the endpoints are listed
    assert all(url.startswith(page.url.split("/api/")[0]) for url in requests), requests

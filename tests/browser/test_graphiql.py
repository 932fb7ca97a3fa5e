"""GraphiQL in a real browser on a network that reaches only the service: it loads from the
service alone, runs a query with the admin page's session and receives a subscription's event
over graphql-ws; without a session it points to the admin page."""

from playwright.async_api import expect

from models.accounts import Role
from services.activity import notifications
from tests.support.browser import AdminPage, refuse_other_hosts
from tests.support.graphiql import run_in_graphiql
from tests.support.polling import until_listening
from tests.support.tenants import MakeTenant

ME = "{ me { user { email } } }"
NOTIFICATIONS = "subscription { notifications { title } }"


async def test_graphiql_carries_the_session_over_and_subscribes(
    admin_page: AdminPage, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant(passwords=True)
    user = tenant.users[Role.SUPER_ADMIN]
    page = admin_page.page
    await refuse_other_hosts(page.context, admin_page.server.url)
    await admin_page.signed_in(user.email)

    # The top bar's link opens GraphiQL in this tab, where the session is.
    await page.get_by_role("link", name="GraphiQL").click()
    await page.wait_for_url(f"{admin_page.server.graphql_url}")
    await expect(page.locator("#session")).to_contain_text(f"Signed in as {user.email}")
    await expect(page.locator(".graphiql-container")).to_be_visible()
    response = page.locator(".graphiql-response")

    await run_in_graphiql(page, ME)
    await expect(response).to_contain_text(f'"email": "{user.email}"')
    await admin_page.screenshot("graphiql-01-query")

    await run_in_graphiql(page, NOTIFICATIONS)
    await until_listening(notifications.channel(user.id))
    await notifications.notify([user], "TEST", "Heard in GraphiQL")
    await expect(response).to_contain_text('"title": "Heard in GraphiQL"')
    await admin_page.screenshot("graphiql-02-subscription")


async def test_graphiql_without_a_session_links_to_the_admin_page(admin_page: AdminPage) -> None:
    page = admin_page.page
    await refuse_other_hosts(page.context, admin_page.server.url)

    await page.goto(admin_page.server.graphql_url)

    await expect(page.locator(".graphiql-container")).to_be_visible()
    link = page.get_by_role("link", name="Sign in on the admin page")
    await expect(link).to_have_attribute("href", "/admin/")
    await admin_page.screenshot("graphiql-03-signed-out")
    await link.click()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

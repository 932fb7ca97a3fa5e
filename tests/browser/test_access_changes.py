"""The admin page when its user's access changes elsewhere: a demotion and a sign-out in
another place reach the open page over its websocket, without a reload by the person."""

from playwright.async_api import expect

from models.accounts import Role
from tests.support.browser import AdminPage
from tests.support.graphql import GraphQLClient
from tests.support.live_sessions import LOGOUT, SET_ROLE
from tests.support.tenants import MakeTenant, add_super_admin

TOKEN = "sessionStorage.getItem('crm-backup.token')"


async def test_a_demotion_and_a_sign_out_elsewhere_reach_the_open_page(
    admin_page: AdminPage, make_tenant: MakeTenant, gql: GraphQLClient
) -> None:
    tenant = await make_tenant(passwords=True)
    other, other_super_admin = await add_super_admin(tenant)
    user = tenant.users[Role.SUPER_ADMIN]
    page = admin_page.page
    await admin_page.signed_in(user.email)
    await expect(page.locator("#backups")).to_be_visible()

    demotion = {"id": str(user.id), "role": "ADMIN"}
    await gql.data(SET_ROLE, demotion, other_super_admin)

    ask = page.locator("#ask-a-super-admin")
    await expect(ask).to_contain_text(
        "Backup and restore are for super admins; you are signed in as admin."
    )
    # Whom to ask: the super admin who demoted them.
    await expect(ask.get_by_role("listitem")).to_have_text([other.email])
    await expect(page.locator("#backups")).to_be_hidden()
    await admin_page.screenshot("access-01-demoted")

    # Signed out in another place (here: the same session, over HTTP): back to the sign-in form.
    await page.locator("#live-status[data-status=live]").wait_for()
    await gql.data(LOGOUT, token=await page.evaluate(TOKEN))
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await expect(page.locator("#sign-in-error")).to_have_text(
        "Your session has ended. Please sign in again."
    )
    await admin_page.screenshot("access-02-signed-out")

"""The audit log page in Chromium: entries filtered by action and person, and the same entries
exported as a CSV file whose formula-like values open as text."""

import csv
import io

from playwright.async_api import expect

from models.accounts import Role, User
from tests.support.browser import AdminPage
from tests.support.graphql import GraphQLClient
from tests.support.tenants import MakeTenant, unique_email

INVITE = "mutation($email: String!) { inviteUser(email: $email, role: MEMBER) { user { id } } }"


async def test_the_log_filtered_and_exported(
    admin_page: AdminPage, make_tenant: MakeTenant, gql: GraphQLClient
) -> None:
    tenant = await make_tenant(passwords=True)
    super_admin = tenant.users[Role.SUPER_ADMIN]
    await User.filter(id=super_admin.id).update(name="=cmd|' /C calc'!A0")
    invited = unique_email("invited")
    await gql.data(INVITE, {"email": invited}, tenant.super_admin)
    page = admin_page.page
    await admin_page.signed_in(super_admin.email)
    await page.get_by_role("link", name="Audit log").click()
    table = page.locator("#audit-log-table")
    await expect(table.locator("tbody tr")).to_have_count(2)  # the invitation, the sign-in

    form = page.locator("#audit-log-filter")
    await form.get_by_label("Action").select_option(label="User invited")
    await form.get_by_label("Who").select_option(label="=cmd|' /C calc'!A0")
    await form.get_by_role("button", name="Show entries").click()
    await expect(table.locator("tbody tr")).to_have_count(1)
    await expect(table.locator("tbody tr")).to_contain_text(invited)
    await admin_page.screenshot("audit-01-filtered")

    async with page.expect_download() as download_info:
        await page.get_by_role("button", name="Export as CSV").click()
    download = await download_info.value
    assert download.suggested_filename.startswith("audit-log-")
    rows = list(csv.DictReader(io.StringIO((await download.path()).read_text())))
    assert [row["action"] for row in rows] == ["USER_INVITED"]
    assert rows[0]["actor_name"] == "'=cmd|' /C calc'!A0"

    # A date range that ends before it starts is refused in a sentence.
    await form.get_by_label("From").fill("2026-12-02")
    await form.get_by_label("To").fill("2026-12-01")
    await form.get_by_role("button", name="Show entries").click()
    await expect(page.locator("#audit-log-error")).to_have_text(
        "The date range ends before it starts."
    )

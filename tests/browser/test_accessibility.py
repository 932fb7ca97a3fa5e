"""Every part of the page, at each size, checked by axe-core (no serious or critical
violation) and walked with the Tab key (every visible control reached)."""

from typing import Any

from playwright.async_api import expect

from models.accounts import Role
from tests.support.axe import serious_violations
from tests.support.browser import AdminPage, on_screen, unreachable_by_keyboard
from tests.support.graphql import GraphQLClient
from tests.support.restores import backed_up_deals
from tests.support.tenants import MakeTenant


async def checked(admin_page: AdminPage, name: str, *, keyboard: bool = True) -> None:
    """No serious violation, every control reachable by Tab, all of it on screen; a screenshot."""
    page: Any = admin_page.page
    assert await serious_violations(page) == [], name
    if keyboard:
        assert await unreachable_by_keyboard(page) == [], name
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
    await admin_page.screenshot(f"40-{name}")


async def test_each_part_of_the_page_is_accessible(
    admin_page: AdminPage, make_tenant: MakeTenant, gql: GraphQLClient
) -> None:
    tenant = await make_tenant(passwords=True)
    backup_id = await backed_up_deals(gql, tenant, changed=2)
    page = admin_page.page
    panel = page.locator("#restore")

    await admin_page.open()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await checked(admin_page, "sign-in")

    await admin_page.signed_in(tenant.users[Role.SUPER_ADMIN].email)
    await checked(admin_page, "backups")

    # The review of a plan: its tables, acknowledgements and two-factor code.
    await admin_page.backup_row(backup_id).get_by_role("button", name="Restore").click()
    await panel.get_by_label("Amount").check()
    await panel.get_by_role("button", name="Review changes").click()
    await expect(panel.get_by_role("button", name="Restore 2 records")).to_be_visible()
    await panel.get_by_text("Sample changes (2)").click()
    await checked(admin_page, "restore-review")

    # A comparison of the backup with today: its figures, tables and samples.
    compare = page.locator("#compare")
    await compare.get_by_role("button", name="Compare", exact=True).click()
    deals = compare.locator('section[data-object-type="deals"]')
    await deals.get_by_text("Sample changes of deals (2)").click()
    await checked(admin_page, "comparison")

    await page.locator("#bell-button").click()
    notifications = page.locator("#notifications-panel")
    await expect(notifications).to_be_visible()
    assert await on_screen(notifications)
    # Open, it is a popover: Tab leaves it, so only axe checks it.
    await checked(admin_page, "notifications", keyboard=False)
    await page.keyboard.press("Escape")

    for link, name in (("Users", "users"), ("Audit log", "audit-log")):
        await page.get_by_role("link", name=link).click()
        await expect(page.locator(f"#view-{name}")).to_be_visible()
        await checked(admin_page, name)

    # The check sees what it should: a button without a name is a critical violation.
    await page.evaluate("document.querySelector('main').append(document.createElement('button'))")
    assert "button-name" in {violation["id"] for violation in await serious_violations(page)}

"""Notifications that lead somewhere, and messages that stay out of the way: a ready backup
downloads from its notification, messages are a few at a time, dismissible, over no control,
and on a phone the notifications list fits the screen."""

from playwright.async_api import expect

from models.accounts import Role
from tests.support.browser import (
    PHONE,
    AdminPage,
    announce,
    controls_under_messages,
    on_screen,
)
from tests.support.graphql import GraphQLClient
from tests.support.records import seed_records
from tests.support.tenants import MakeTenant

CREATE = "mutation { createBackup(confirm: true) { id } }"


async def test_a_ready_backup_downloads_from_its_notification(
    admin_page: AdminPage, make_tenant: MakeTenant, gql: GraphQLClient
) -> None:
    tenant = await make_tenant(passwords=True)
    await seed_records(tenant, "contacts", [{"email": "ada@example.com"}])
    page = admin_page.page
    await admin_page.signed_in(tenant.users[Role.SUPER_ADMIN].email)

    # Another admin's backup (through the API) turns ready: its message offers the download.
    await gql.data(CREATE, token=tenant.super_admin)
    message = page.locator("#toasts .toast", has_text="Your backup is ready")
    await expect(message).to_be_visible()
    await admin_page.screenshot("20-backup-ready-message")
    await message.get_by_role("button", name="Download: Your backup is ready").click()
    dialog = page.get_by_role("dialog", name="Download this backup?")
    async with page.expect_download() as download_info:
        await dialog.get_by_role("button", name="Download").click()
    assert (await download_info.value).suggested_filename.endswith(".zip")

    # The bell's entry leads to the same download.
    await page.locator("#bell-button").click()
    entry = page.locator("#notification-list li", has_text="Your backup is ready")
    await entry.get_by_role("button", name="Download: Your backup is ready").click()
    await expect(page.locator("#notifications-panel")).to_be_hidden()
    await expect(dialog).to_be_visible()
    await dialog.get_by_role("button", name="Cancel").click()


async def test_messages_are_few_dismissible_and_cover_nothing(
    admin_page: AdminPage, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant(passwords=True)
    page = admin_page.page
    await admin_page.signed_in(tenant.users[Role.SUPER_ADMIN].email)

    await announce(page, *(f"Message {i}" for i in range(1, 6)))
    messages = page.locator("#toasts .toast")
    await expect(messages).to_have_count(3)
    await expect(messages.first).to_contain_text("Message 3")  # the oldest went first
    assert await controls_under_messages(page) == []
    await admin_page.screenshot("21-messages")
    await messages.first.get_by_role("button", name="Dismiss").click()
    await expect(messages).to_have_count(2)

    # On a phone too: messages push the page down rather than lie over it.
    await page.set_viewport_size(PHONE)
    await announce(page, "Another message")
    assert await controls_under_messages(page) == []


async def test_the_notifications_list_fits_a_phone(
    admin_page: AdminPage, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant(passwords=True)
    page = admin_page.page
    await page.set_viewport_size(PHONE)
    await admin_page.signed_in(tenant.users[Role.SUPER_ADMIN].email)

    await page.locator("#bell-button").click()
    panel = page.locator("#notifications-panel")
    await expect(panel).to_be_visible()
    assert await on_screen(panel)
    await admin_page.screenshot("22-phone-notifications")

"""The admin page's backups part in a real browser: sign-in, create a backup and see it turn
ready live, the quota, download, the schedule, the bell, reload, and a narrow screen."""

import io
import zipfile

from playwright.async_api import expect

from models.accounts import Role
from tests.support.browser import PHONE, AdminPage
from tests.support.graphql import GraphQLClient
from tests.support.records import seed_records
from tests.support.tenants import MakeTenant

CONTACTS = [{"email": f"person{i}@example.com", "firstname": f"Person {i}"} for i in range(30)]
SCHEDULE = "{ backupSchedule { enabled frequency nextRunAt } }"


async def test_backups_from_sign_in_to_download_and_schedule(
    admin_page: AdminPage, make_tenant: MakeTenant, gql: GraphQLClient
) -> None:
    tenant = await make_tenant(passwords=True)
    await seed_records(tenant, "contacts", CONTACTS)
    email = tenant.users[Role.SUPER_ADMIN].email
    page = admin_page.page

    # Sign in: a wrong password reads as such, then the right one opens the page.
    await admin_page.open()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await admin_page.screenshot("01-sign-in")
    await admin_page.sign_in(email, "not the password")
    await expect(page.locator("#sign-in-error")).to_have_text("Wrong email or password.")
    await admin_page.sign_in(email)
    await expect(page.locator("#account-name")).to_contain_text(tenant.account.name)
    await expect(page.locator("#live-status")).to_have_text("Live")
    await expect(page.locator("#backups-empty")).to_be_visible()
    await admin_page.screenshot("02-signed-in")

    # A marker that a reload would wipe: what follows must happen live, on this same page.
    await page.evaluate("window.stillTheSamePage = true")

    # Create backup asks first; confirming queues it.
    create = page.get_by_role("button", name="Create backup", exact=True)
    await create.click()
    dialog = page.get_by_role("dialog", name="Create a backup now?")
    await expect(dialog).to_be_visible()
    await expect(dialog).to_contain_text("24 hours")  # ENTERPRISE's quota
    await expect(dialog.locator("#create-backup-empty")).to_be_hidden()  # it holds contacts
    await admin_page.screenshot("03-create-backup-dialog")
    await dialog.get_by_role("button", name="Create backup").click()
    await expect(dialog).to_be_hidden()

    # The row turns ready without a reload, pushed over the websocket.
    row = page.locator("#backups-table tbody tr").first
    await expect(row).to_have_attribute("data-status", "SUCCEEDED")
    assert await page.evaluate("window.stillTheSamePage") is True
    await expect(row.locator(".status")).to_have_text("Ready")
    await expect(row).to_contain_text("Manual")
    await expect(row.locator("summary")).to_have_text("30")

    # Over the quota: the button waits, saying until when.
    await expect(create).to_be_disabled()
    await expect(page.locator("#quota-note")).to_contain_text("Next manual backup available")

    # The BACKUP_READY notification arrived live: the bell counts it.
    bell = page.locator("#bell-button")
    await expect(page.locator("#unread-count")).to_have_text("1")
    await bell.click()
    await expect(page.locator("#notification-list li.unread")).to_have_count(1)
    await admin_page.screenshot("04-backup-ready")
    await page.get_by_role("button", name="Mark all as read").click()
    await expect(page.locator("#unread-count")).to_be_hidden()
    await page.keyboard.press("Escape")
    await expect(page.locator("#notifications-panel")).to_be_hidden()

    # Download: first how to open the file safely, then a real file through the signed link,
    # a ZIP holding the contacts.
    await row.get_by_role("button", name="Download").click()
    dialog = page.get_by_role("dialog", name="Download this backup?")
    await expect(dialog).to_contain_text("could run as a formula")
    await admin_page.screenshot("04b-download-dialog")
    async with page.expect_download() as download_info:
        await dialog.get_by_role("button", name="Download").click()
    download = await download_info.value
    await expect(dialog).to_be_hidden()
    assert download.suggested_filename.endswith(".zip")
    archive = zipfile.ZipFile(io.BytesIO((await download.path()).read_bytes()))
    assert {"manifest.json", "contacts.csv"} <= set(archive.namelist())
    contacts = archive.read("contacts.csv").decode().splitlines()
    assert len(contacts) == 1 + len(CONTACTS)

    # The schedule: on, every two weeks, and the API agrees.
    await expect(page.locator("#schedule-next")).to_contain_text("Off")
    await page.get_by_role("switch", name="Back up automatically").check()
    await page.get_by_label("Every two weeks").check()
    await page.get_by_role("button", name="Save schedule").click()
    await expect(page.locator("#schedule-next")).to_contain_text("Next backup:")
    await admin_page.screenshot("05-schedule")
    schedule = (await gql.data(SCHEDULE, token=tenant.super_admin))["backupSchedule"]
    assert (schedule["enabled"], schedule["frequency"]) == (True, "BIWEEKLY")

    # A reload keeps the session and shows the same state, all of it from the API.
    await page.reload()
    await expect(page.locator("#live-status")).to_have_text("Live")
    await expect(page.get_by_role("switch", name="Back up automatically")).to_be_checked()
    await expect(page.get_by_label("Every two weeks")).to_be_checked()
    await expect(page.locator("#backups-table tbody tr")).to_have_count(1)
    await expect(create).to_be_disabled()

    # A narrow screen: one column, nothing wider than the screen.
    await page.set_viewport_size(PHONE)
    await expect(row.get_by_role("button", name="Download")).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await admin_page.screenshot("06-narrow-screen")

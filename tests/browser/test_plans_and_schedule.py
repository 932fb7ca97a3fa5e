"""What is left over made right: a plan can be discarded; objects that cannot be restored are
not offered; the schedule card moves on after its run and its first run can be chosen; an upload
shows its progress and can be cancelled; creating a backup of an empty account says so."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.async_api import expect

from models.accounts import Role
from models.imports import Import
from models.restores import Restore
from models.schedules import BackupFrequency
from services.backups import schedules
from tests.support.browser import AdminPage
from tests.support.graphql import GraphQLClient
from tests.support.records import seed_records
from tests.support.restores import PAGE_DEALS, backed_up_deals
from tests.support.schedules import enable_schedule
from tests.support.tenants import MakeTenant

SCHEDULE = "{ backupSchedule { nextRunAt } }"
# Bytes per second the browser may send while the upload is watched (Chromium's throttling).
SLOW_UPLOAD = 64_000


async def test_a_plan_is_discarded_and_conversations_are_not_offered(
    admin_page: AdminPage, make_tenant: MakeTenant, gql: GraphQLClient
) -> None:
    tenant = await make_tenant(passwords=True)
    await seed_records(tenant, "conversations", [{"subject": "Hello"}])
    backup_id = await backed_up_deals(gql, tenant, changed=2)
    page = admin_page.page
    panel = page.locator("#restore")

    await admin_page.signed_in(tenant.users[Role.SUPER_ADMIN].email)
    await admin_page.backup_row(backup_id).get_by_role("button", name="Restore").click()
    objects = panel.get_by_label("Object", exact=True).locator("option")
    await expect(objects).to_have_text(["Deals"])  # the backup's conversations are not offered
    await panel.get_by_label("Amount").check()
    await panel.get_by_role("button", name="Review changes").click()
    await expect(panel.get_by_role("button", name="Restore 2 records")).to_be_visible()

    await panel.get_by_role("button", name="Discard this plan").click()
    await expect(panel).to_be_hidden()
    await page.reload()
    await expect(page.locator("#live-status")).to_have_text("Live")
    await expect(panel).to_be_hidden()  # a discarded plan does not come back

    upload_objects = page.locator("#upload-object option")
    await expect(upload_objects).not_to_contain_text(["Conversations"])


async def test_the_schedule_moves_on_after_its_run_and_its_first_run_is_chosen(
    admin_page: AdminPage, make_tenant: MakeTenant, gql: GraphQLClient
) -> None:
    tenant = await make_tenant(passwords=True)
    await seed_records(tenant, "deals", PAGE_DEALS)
    soon = (datetime.now(UTC) + timedelta(hours=1)).replace(second=0, microsecond=0)
    await enable_schedule(tenant, BackupFrequency.WEEKLY, soon)
    page = admin_page.page
    await admin_page.signed_in(tenant.users[Role.SUPER_ADMIN].email)
    next_run = page.locator("#schedule-next time")
    await expect(next_run).to_have_attribute(
        "datetime", re.compile(soon.strftime("^%Y-%m-%dT%H:%M"))
    )

    # The scheduler's pass runs it: the card shows the next run without a reload.
    await schedules.run_due_schedules(at=soon)
    week_later = soon + timedelta(weeks=1)
    await expect(next_run).to_have_attribute(
        "datetime", re.compile(week_later.strftime("^%Y-%m-%dT%H:%M"))
    )

    # The first run of a schedule turned on again, chosen in local time.
    await page.get_by_role("switch", name="Back up automatically").uncheck()
    await page.get_by_role("button", name="Save schedule").click()
    await expect(page.locator("#schedule-next")).to_contain_text("Off")
    await page.get_by_role("switch", name="Back up automatically").check()
    await page.get_by_label("First backup").fill("2030-01-15T03:30")
    await page.get_by_role("button", name="Save schedule").click()
    await expect(page.locator("#schedule-next")).to_contain_text("Next backup:")
    chosen = await page.evaluate("new Date('2030-01-15T03:30').toISOString()")
    saved = (await gql.data(SCHEDULE, token=tenant.super_admin))["backupSchedule"]["nextRunAt"]
    assert datetime.fromisoformat(saved) == datetime.fromisoformat(chosen)
    await admin_page.screenshot("30-schedule-first-run")


async def test_an_upload_shows_its_progress_and_can_be_cancelled(
    admin_page: AdminPage, make_tenant: MakeTenant, tmp_path: Path
) -> None:
    tenant = await make_tenant(passwords=True)
    page = admin_page.page
    await admin_page.signed_in(tenant.users[Role.SUPER_ADMIN].email)
    upload = tmp_path / "deals.csv"
    upload.write_text("id,dealname\n" + "".join(f"{i},Deal {i}\n" for i in range(40_000)))
    network = await page.context.new_cdp_session(page)
    await network.send("Network.enable")
    await network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": SLOW_UPLOAD},
    )

    form = page.locator("#upload-form")
    await form.get_by_label("Backup file").set_input_files(upload)
    await form.get_by_label("Object (for a CSV file)").select_option("deals")
    await form.get_by_role("button", name="Upload and review").click()
    status = page.locator("#upload-status")
    await expect(status).to_contain_text(re.compile(r"of .*(KB|MB) sent"))
    await admin_page.screenshot("31-upload-progress")
    await form.get_by_role("button", name="Cancel upload").click()
    await expect(form.get_by_role("alert")).to_have_text(
        "The upload was cancelled: nothing was stored."
    )
    await expect(page.locator("#upload-progress")).to_be_hidden()
    assert await Import.filter(account_id=tenant.account.id).count() == 0
    assert await Restore.filter(account_id=tenant.account.id).count() == 0


async def test_creating_a_backup_of_an_empty_account_says_so(
    admin_page: AdminPage, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant(passwords=True)
    page = admin_page.page
    await admin_page.signed_in(tenant.users[Role.SUPER_ADMIN].email)
    await page.get_by_role("button", name="Create backup", exact=True).click()
    dialog = page.get_by_role("dialog", name="Create a backup now?")
    await expect(dialog).to_contain_text("Your account holds no records yet")
    await admin_page.screenshot("32-empty-account-backup")

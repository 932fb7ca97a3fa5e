"""The admin page's retention and associations controls in a real browser: the periods read
from the account and set behind a two-factor code, each backup's expiry moving with them, and
"Include associations" in the create-backup dialog and the schedule card."""

from datetime import timedelta

from playwright.async_api import expect

from models.accounts import Account, Role
from models.backups import Backup
from models.schedules import BackupSchedule
from tests.support.axe import serious_violations
from tests.support.backups import backed_up
from tests.support.browser import AdminPage
from tests.support.graphql import GraphQLClient
from tests.support.polling import poll_until
from tests.support.records import seed_records
from tests.support.tenants import MakeTenant
from tests.support.two_factor import enroll, wrong_code


async def test_retention_is_read_and_set_with_a_code_and_moves_each_expiry(
    admin_page: AdminPage, make_tenant: MakeTenant, gql: GraphQLClient
) -> None:
    tenant = await make_tenant(passwords=True)
    await seed_records(tenant, "contacts", [{"firstname": "Ann"}])
    await Account.filter(id=tenant.account.id).update(scheduled_backup_retention_days=21)
    backup_id = await backed_up(gql, tenant)
    completed_at = (await Backup.get(id=backup_id)).completed_at
    assert completed_at is not None
    totp = await enroll(gql, tenant.super_admin)
    page = admin_page.page
    card = page.locator("#retention")

    await admin_page.signed_in(tenant.users[Role.SUPER_ADMIN].email)
    manual = card.get_by_label("Manual backups (days)")
    scheduled = card.get_by_label("Scheduled backups (days)")
    await expect(manual).to_have_value("14")
    await expect(scheduled).to_have_value("21")  # the account's, not a default
    expires = admin_page.backup_row(backup_id).locator('td[data-label="Expires"] time')
    in_14_days = completed_at + timedelta(days=14)
    await expect(expires).to_have_attribute("title", in_14_days.strftime("%Y-%m-%d %H:%M UTC"))

    await manual.fill("30")
    await scheduled.fill("90")
    code = card.get_by_label("Two-factor code or recovery code")
    await code.fill(wrong_code(totp))
    await card.get_by_role("button", name="Save retention").click()
    await expect(card.locator("#retention-error")).to_be_visible()
    assert (await Account.get(id=tenant.account.id)).backup_retention_days == 14
    await admin_page.screenshot("60-retention-refused")

    await code.fill(totp.now())
    await card.get_by_role("button", name="Save retention").click()
    await expect(card.locator("#retention-error")).to_be_hidden()
    await expect(page.locator("#announcer")).to_contain_text("Manual backups are kept 30 days")

    async def saved() -> Account | None:
        account = await Account.get(id=tenant.account.id)
        return account if account.backup_retention_days == 30 else None

    account = await poll_until(saved, seconds=10)
    assert account.scheduled_backup_retention_days == 90
    # The backup's expiry moved with the period, shown in local time, UTC on hover.
    in_30_days = completed_at + timedelta(days=30)
    await expect(expires).to_have_attribute("title", in_30_days.strftime("%Y-%m-%d %H:%M UTC"))
    assert await serious_violations(page) == []
    await admin_page.screenshot("61-retention-saved")

    # A reload reads them back from the account.
    await page.reload()
    await expect(manual).to_have_value("30")
    await expect(scheduled).to_have_value("90")


async def test_associations_are_asked_for_in_the_dialog_and_the_schedule(
    admin_page: AdminPage, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant(passwords=True)
    await seed_records(tenant, "contacts", [{"firstname": "Ann"}])
    page = admin_page.page

    await admin_page.signed_in(tenant.users[Role.SUPER_ADMIN].email)
    card = page.locator("#schedule")
    in_schedule = card.get_by_label("Include associations")
    await expect(in_schedule).to_be_disabled()  # means something only with the schedule on
    await card.get_by_role("switch", name="Back up automatically").check()
    await in_schedule.check()
    await card.get_by_role("button", name="Save schedule").click()
    await expect(card.locator("#schedule-error")).to_be_hidden()
    await expect(card.locator("#schedule-next")).to_contain_text("Next backup")
    schedule = await BackupSchedule.get(account_id=tenant.account.id)
    assert schedule.include_associations
    await page.reload()
    await expect(in_schedule).to_be_checked()

    await page.get_by_role("button", name="Create backup", exact=True).click()
    dialog = page.get_by_role("dialog", name="Create a backup now?")
    include = dialog.get_by_label("Include associations")
    await expect(include).not_to_be_checked()  # off by default, as the API's
    await include.check()
    assert await serious_violations(page) == []
    await admin_page.screenshot("62-create-with-associations")
    await dialog.get_by_role("button", name="Create backup").click()
    await expect(dialog).to_be_hidden()
    backup = await poll_until(lambda: Backup.get_or_none(account_id=tenant.account.id), seconds=10)
    assert backup.include_associations

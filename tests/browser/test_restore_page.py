"""The admin page's restore path in a real browser: choose, review (and reload), acknowledge,
two-factor, live progress, the "Data restore - …" import and its notification, then revert."""

import re
from datetime import timedelta

from playwright.async_api import expect

from models.accounts import Account, Role
from tests.support.backups import backed_up, completed_ago, let_quota_window_pass
from tests.support.browser import AdminPage
from tests.support.graphql import GraphQLClient
from tests.support.records import add_property, seed_records
from tests.support.restores import PAGE_DEALS, amounts_of_deals, backed_up_deals, change_amounts
from tests.support.tenants import MakeTenant
from tests.support.two_factor import enroll, wrong_code

CHANGED = 3  # deals whose amount changes after the backup


async def test_restore_from_review_to_revert(
    admin_page: AdminPage, make_tenant: MakeTenant, gql: GraphQLClient
) -> None:
    tenant = await make_tenant(passwords=True)
    await seed_records(tenant, "deals", PAGE_DEALS)
    backup_id = await backed_up(gql, tenant)
    in_backup = await amounts_of_deals(tenant)
    await change_amounts(tenant, CHANGED)
    changed = await amounts_of_deals(tenant)
    totp = await enroll(gql, tenant.super_admin)
    page = admin_page.page
    panel = page.locator("#restore")

    # Choose: Restore on the backup, then the object and the property.
    await admin_page.signed_in(tenant.users[Role.SUPER_ADMIN].email)
    await admin_page.backup_row(backup_id).get_by_role("button", name="Restore").click()
    await expect(panel).to_be_visible()
    await expect(page.locator("#restore-title")).to_be_focused()
    await panel.get_by_label("Object", exact=True).select_option("deals")
    await panel.get_by_label("Amount").check()
    await panel.get_by_role("button", name="Review changes").click()

    # Review: the plan's counts, per property and in all.
    to_change = panel.locator(".summary div", has_text="Records to change").locator("dd")
    await expect(to_change).to_have_text(str(CHANGED))
    amount_row = panel.locator(".plan-properties tbody tr", has_text="Amount")
    await expect(amount_row.locator("td").nth(1)).to_have_text(str(CHANGED))
    # Sample changes name their records as people do, not by id.
    await panel.get_by_text(f"Sample changes ({CHANGED})").click()
    samples = panel.locator(".plan-samples tbody tr td:first-child")
    await expect(samples.first).to_have_text(re.compile(r"^Deal \d$"))

    # The plan lives in the API: a reload brings the review back.
    await page.reload()
    await expect(to_change).to_have_text(str(CHANGED))
    await admin_page.screenshot("07-restore-review")

    # Both acknowledgements, or no restore.
    start = panel.get_by_role("button", name=f"Restore {CHANGED} records")
    await expect(start).to_be_disabled()
    await panel.locator("#ack-data-change").check()
    await expect(start).to_be_disabled()
    await panel.locator("#ack-irreversible").check()
    await expect(start).to_be_enabled()

    # Two-factor: a wrong code reads as such and changes nothing; the right one starts it.
    code = panel.get_by_label("Two-factor code")
    await code.fill(wrong_code(totp))
    await start.click()
    await expect(panel.get_by_role("alert")).to_contain_text("wrong")
    assert await amounts_of_deals(tenant) == changed
    await code.fill(totp.now())
    await start.click()

    # Progress live, to the end; the values are back.
    await expect(panel.get_by_role("heading", name="Restore complete")).to_be_visible()
    await expect(panel.locator(".summary div", has_text="Records changed")).to_contain_text(
        str(CHANGED)
    )
    await admin_page.screenshot("08-restore-complete")
    assert await amounts_of_deals(tenant) == in_backup

    # The imports list has the restore's entry, and the bell its notification.
    entry = page.locator("#imports-table tbody tr[data-import-id]").first
    await expect(entry).to_contain_text("Data restore - Deal")
    await expect(entry).to_have_attribute("data-status", "SUCCEEDED")
    await expect(page.locator("#unread-count")).not_to_be_hidden()
    await page.locator("#bell-button").click()
    notification = page.locator("#notification-list li[data-kind=RESTORE_COMPLETED]")
    await expect(notification).to_contain_text("Data restore finished")
    await admin_page.screenshot("09-import-and-notification")
    await page.keyboard.press("Escape")

    # Revert: its own review and acknowledgements; the step-up of a minute ago still holds.
    await panel.get_by_role("button", name="Revert this restore").click()
    await expect(panel.locator(".summary div", has_text="Records to change")).to_contain_text(
        str(CHANGED)
    )
    await expect(panel).to_contain_text("no code is needed until")
    # Worded as a revert: no promise of reverting it in turn.
    await expect(panel.locator("label", has=page.locator("#ack-irreversible"))).to_contain_text(
        "A revert cannot itself be reverted."
    )
    await panel.locator("#ack-data-change").check()
    await panel.locator("#ack-irreversible").check()
    await panel.get_by_role("button", name=f"Revert {CHANGED} records").click()
    await expect(panel.get_by_role("heading", name="Revert complete")).to_be_visible()
    assert await amounts_of_deals(tenant) == changed

    # The history shows both; the reverted restore offers no second revert.
    history = page.locator("#restores-table tbody tr")
    await expect(history).to_have_count(2)
    await expect(history.first).to_contain_text("Revert")
    await expect(history.nth(1).get_by_role("button", name="Revert")).to_have_count(0)
    await admin_page.screenshot("10-reverted")

    # A restore's notification leads to its line in the history, after a reload too.
    await page.reload()
    await expect(panel).to_be_hidden()
    await page.locator("#bell-button").click()
    notifications = page.locator("#notification-list")
    await notifications.get_by_role("button", name="Show: Data restore finished").click()
    restored = history.nth(1)
    await expect(restored).to_be_focused()
    await expect(restored).to_have_attribute("aria-current", "true")
    await expect(history.first).not_to_have_attribute("aria-current", "true")


async def test_a_property_the_backup_lacks_fails_the_review_with_its_name(
    admin_page: AdminPage, make_tenant: MakeTenant, gql: GraphQLClient
) -> None:
    tenant = await make_tenant(passwords=True)
    await seed_records(tenant, "deals", PAGE_DEALS)
    backup_id = await backed_up(gql, tenant)
    await add_property(tenant, "deals", "region", "Region")  # Created since the backup.
    page = admin_page.page
    panel = page.locator("#restore")

    await admin_page.signed_in(tenant.users[Role.SUPER_ADMIN].email)
    await admin_page.backup_row(backup_id).get_by_role("button", name="Restore").click()
    await panel.get_by_label("Object", exact=True).select_option("deals")
    await panel.get_by_label("Region").check()
    await panel.get_by_role("button", name="Review changes").click()

    await expect(
        panel.get_by_role("heading", name="The review could not be prepared")
    ).to_be_visible()
    await expect(panel.get_by_role("alert")).to_have_text("Not in the backup's deals: region.")
    await panel.get_by_role("button", name="Change selection").click()
    await expect(panel.get_by_label("Region")).to_be_checked()


async def test_nothing_to_change_asks_for_nothing(
    admin_page: AdminPage, make_tenant: MakeTenant, gql: GraphQLClient
) -> None:
    tenant = await make_tenant(passwords=True)
    backup_id = await backed_up_deals(gql, tenant)
    page = admin_page.page
    panel = page.locator("#restore")

    await admin_page.signed_in(tenant.users[Role.SUPER_ADMIN].email)
    # Times read in local time with their zone, the UTC instant on hover.
    snapshot = admin_page.backup_row(backup_id).locator("td[data-label=Snapshot] time")
    await expect(snapshot).to_have_attribute(
        "title", re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d UTC$")
    )
    await expect(snapshot).to_have_text(re.compile(r"\d:\d\d.*\S+$"))
    await admin_page.backup_row(backup_id).get_by_role("button", name="Restore").click()
    await panel.get_by_label("Object", exact=True).select_option("deals")
    await panel.get_by_label("Amount").check()
    await panel.get_by_role("button", name="Review changes").click()

    await expect(panel.get_by_role("status")).to_have_text(
        "Nothing to change: the records already hold these values."
    )
    await expect(panel.locator("#ack-data-change")).to_have_count(0)
    await expect(panel.get_by_label("Two-factor code")).to_have_count(0)
    await expect(panel.get_by_role("button", name=re.compile("^Restore"))).to_have_count(0)
    await admin_page.screenshot("13-nothing-to-change")


async def test_restore_is_offered_while_the_api_says_a_backup_is_restorable(
    admin_page: AdminPage, make_tenant: MakeTenant, gql: GraphQLClient
) -> None:
    tenant = await make_tenant(passwords=True)
    await Account.filter(id=tenant.account.id).update(backup_retention_days=30)
    await seed_records(tenant, "deals", PAGE_DEALS)
    old = await completed_ago(await backed_up(gql, tenant), timedelta(days=15))
    await let_quota_window_pass(tenant.account)
    recent_id = await backed_up(gql, tenant)
    # Ten minutes of its 14 days left.
    await completed_ago(recent_id, timedelta(days=14, minutes=-10))
    page = admin_page.page
    # The page's own clock, moved forward below instead of waiting.
    await page.clock.install()

    # Kept for 30 days but past its 14: downloaded, then restored from its file.
    await admin_page.signed_in(tenant.users[Role.SUPER_ADMIN].email)
    old_row = admin_page.backup_row(str(old.id))
    await expect(old_row.get_by_role("button", name="Download")).to_be_visible()
    await expect(old_row.get_by_role("button", name="Restore")).to_have_count(0)
    note = old_row.locator(".row-note")
    await expect(note).to_have_text(re.compile(r"^Kept until .+; restore it from its file"))
    assert old.expires_at is not None
    kept_until = old.expires_at.strftime("%Y-%m-%d %H:%M UTC")
    await expect(note.locator("time")).to_have_attribute("title", kept_until)
    recent_row = admin_page.backup_row(recent_id)
    await expect(recent_row.get_by_role("button", name="Restore")).to_be_visible()
    await admin_page.screenshot("33-restorable-and-kept")

    # Its 14 days end while the page is open: the button goes, no reload needed.
    await page.evaluate("window.stillTheSamePage = true")
    await page.clock.fast_forward("11:00")
    await expect(recent_row.get_by_role("button", name="Restore")).to_have_count(0)
    await expect(recent_row.locator(".row-note")).to_contain_text("restore it from its file")
    await expect(recent_row.get_by_role("button", name="Download")).to_be_visible()
    assert await page.evaluate("window.stillTheSamePage") is True

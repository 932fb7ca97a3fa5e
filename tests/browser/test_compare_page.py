"""The admin page's comparisons in a real browser: two real backups with hand-made changes
compared with exact counts and their differences downloaded; the mass-change thresholds set,
with the API's refusals next to their fields; and an alert after a backup leading to its
comparison and to a restore of exactly the records it found."""

import csv
import io
from typing import Any

from playwright.async_api import expect

from models.accounts import Role
from tests.support.backups import backed_up
from tests.support.browser import AdminPage
from tests.support.comparisons import (
    SETTINGS,
    hand_made_changes,
    second_backup,
    thresholds,
    update_settings,
    watched,
)
from tests.support.graphql import GraphQLClient
from tests.support.records import seed_deals, set_values, values_of
from tests.support.restores import deal
from tests.support.tenants import MakeTenant
from tests.support.two_factor import enroll

RESTORES = "{ restores(first: 1) { nodes { backupId comparisonId } } }"


def figure(section: Any, label: str) -> Any:
    """The count a comparison's object section shows under `label`, exactly."""
    term = section.page.locator("dt").get_by_text(label, exact=True)
    return section.locator(".summary div", has=term).locator("dd")


async def test_two_backups_compared_with_exact_counts(
    admin_page: AdminPage, make_tenant: MakeTenant, gql: GraphQLClient
) -> None:
    tenant = await make_tenant(passwords=True)
    made = await hand_made_changes(gql, tenant)
    await watched(made["second"])  # the one made after the second backup, listed too
    page = admin_page.page
    panel = page.locator("#compare")
    await admin_page.signed_in(tenant.users[Role.SUPER_ADMIN].email)

    # At first the two newest backups: the earlier one, and the one after it.
    await expect(panel.get_by_label("Earlier backup")).to_have_value(made["first"])
    await expect(panel.get_by_label("Compare with")).to_have_value(made["second"])
    await panel.get_by_role("button", name="Compare", exact=True).click()

    deals = panel.locator('section[data-object-type="deals"]')
    await expect(figure(deals, "Added")).to_have_text("2")
    for label, count in (
        ("Records before", "10"),
        ("Records after", "10"),
        ("Deleted (in the recycle bin)", "1"),
        ("Deleted for good", "1"),
        ("Changed", "5"),
        ("Unchanged", "3"),
    ):
        await expect(figure(deals, label)).to_have_text(count)
    amount = deals.locator(".comparison-properties tbody tr", has_text="Amount")
    await expect(amount.locator("td")).to_have_text(["Amount", "2", "1", "0"])
    # A sensitive property is counted, and its values never shown.
    commission = deals.locator(".comparison-properties tbody tr", has_text="Commission")
    await expect(commission.locator(".sensitive-tag")).to_be_visible()
    await expect(commission.locator("td").nth(1)).to_have_text("1")
    # Unchanged properties are not listed.
    await expect(
        deals.locator(".comparison-properties tbody tr", has_text="Pipeline")
    ).to_have_count(0)

    # Samples name records as people do, and values by their labels; none of the commission.
    await deals.get_by_text("Sample changes of deals (4)").click()
    samples = deals.locator(".comparison-samples tbody tr")
    await expect(samples.locator("td:first-child")).to_have_text(
        ["Deal 2", "Deal 3", "Deal 5", "Deal 4"]
    )
    await expect(samples.nth(2).locator("td")).to_have_text(["Deal 5", "Amount", "blank", "5"])
    await expect(samples.filter(has_text="Commission")).to_have_count(0)
    projects = panel.locator('section[data-object-type="projects"]')
    await expect(figure(projects, "Changed")).to_have_text("1")
    await admin_page.screenshot("50-comparison")

    # The full list, through the signed link the API gives.
    async with page.expect_download() as download_info:
        await panel.get_by_role("button", name="Download every difference (CSV)").click()
    download = await download_info.value
    rows = list(csv.reader(io.StringIO((await download.path()).read_text())))
    assert rows[0] == ["object_type", "record_id", "change", "properties"]
    assert len(rows) == 1 + 10

    # The list keeps it, with the one made after the second backup.
    listed = panel.locator("#comparisons-table tbody tr")
    await expect(listed).to_have_count(2)
    await expect(listed.first).to_contain_text("Asked for")
    await expect(listed.nth(1)).to_contain_text("After a backup, with the one before")

    # Today: the records now, compared with the first backup.
    await panel.get_by_label("Compare with").select_option(label="The records today")
    await panel.get_by_role("button", name="Compare", exact=True).click()
    await expect(panel.locator("#compare-body h3")).to_contain_text("and the records today")
    await expect(figure(deals, "Added")).to_have_text("2")
    await expect(listed).to_have_count(3)


async def test_the_alert_thresholds_are_set_with_refusals_next_to_their_field(
    admin_page: AdminPage, make_tenant: MakeTenant, gql: GraphQLClient
) -> None:
    tenant = await make_tenant(passwords=True)
    page = admin_page.page
    card = page.locator("#mass-change-alerts")
    await admin_page.signed_in(tenant.users[Role.SUPER_ADMIN].email)

    # The API's defaults.
    account = card.locator("#mass-change-account")
    deleted = account.get_by_label("Records deleted")
    await expect(deleted).to_have_value("5")
    await expect(account.get_by_label("Never below this many")).to_have_value("50")
    await expect(card.get_by_label("Alert on mass changes")).to_be_checked()

    # A refusal of the account's percentage shows next to it.
    await deleted.fill("100")
    await card.get_by_role("button", name="Save alert settings").click()
    error = card.locator("#mass-change-all-deletedPercent-error")
    await expect(error).to_contain_text("below 100")
    await expect(deleted).to_have_attribute("aria-invalid", "true")
    await expect(deleted).to_be_focused()
    await deleted.fill("20")

    # Deals' own thresholds, then a refusal of their minimum next to it.
    await card.get_by_label("Object to give its own thresholds").select_option(label="Deals")
    await card.get_by_role("button", name="Add thresholds for this object").click()
    own = card.locator('fieldset[data-object-type="deals"]')
    await expect(own.get_by_label("Records deleted")).to_have_value("5")  # the account's, saved
    minimum = own.get_by_label("Never below this many")
    await minimum.fill("0")
    await card.get_by_role("button", name="Save alert settings").click()
    await expect(card.locator("#mass-change-type-deals-minimumCount-error")).to_contain_text(
        "at least 1"
    )
    await expect(error).to_be_hidden()
    await minimum.fill("2")
    await own.get_by_label("Values changed").fill("25.5")
    await admin_page.screenshot("51-alert-settings")
    await card.get_by_role("button", name="Save alert settings").click()
    await expect(page.locator("#toasts")).to_contain_text("Alert settings saved.")

    saved = (await gql.data(SETTINGS, token=tenant.super_admin))["massChangeAlertSettings"]
    assert saved == {
        "enabled": True,
        "thresholds": thresholds(20, 10, 50),
        "objectTypes": [{"objectType": "deals"} | thresholds(5, 25.5, 2)],
    }
    # After a reload, the same.
    await page.reload()
    await expect(
        card.locator('fieldset[data-object-type="deals"]').get_by_label("Values changed")
    ).to_have_value("25.5")

    # Off for the account, and the deals' thresholds removed.
    await card.get_by_label("Alert on mass changes").uncheck()
    await card.get_by_role("button", name="Remove the thresholds of deals").click()
    await card.get_by_role("button", name="Save alert settings").click()
    await expect(page.locator("#toasts")).to_contain_text("backups raise no alerts")
    saved = (await gql.data(SETTINGS, token=tenant.super_admin))["massChangeAlertSettings"]
    assert (saved["enabled"], saved["objectTypes"]) == (False, [])


async def test_an_alert_leads_to_its_comparison_and_a_restore_of_exactly_its_records(
    admin_page: AdminPage, make_tenant: MakeTenant, gql: GraphQLClient
) -> None:
    tenant = await make_tenant(passwords=True)
    await update_settings(gql, tenant, thresholds(5, 10, 2))
    ids = await seed_deals(tenant, [deal(i) for i in range(10)])
    first = await backed_up(gql, tenant)
    # A bad bulk edit: 3 of 10 amounts (30 %, past 10 %) before the next backup.
    for record_id in ids[:3]:
        await set_values(record_id, {"amount": "1"})
    totp = await enroll(gql, tenant.super_admin)
    page = admin_page.page
    await admin_page.signed_in(tenant.users[Role.SUPER_ADMIN].email)

    # The next backup, by the worker: its comparison with the first raises the alert, live.
    alerted = await watched(await second_backup(gql, tenant))
    # A good edit after it, which the restore must leave alone.
    await set_values(ids[7], {"amount": "7777"})
    await expect(page.locator("#toasts .toast", has_text="Mass change detected")).to_be_visible()
    await page.locator("#bell-button").click()
    entry = page.locator("#notification-list li", has_text="Mass change detected")
    await entry.get_by_role("button", name="Show: Mass change detected").click()

    panel = page.locator("#compare")
    await expect(page.locator("#compare-title")).to_be_focused()
    await expect(panel.locator(".notice.warning")).to_contain_text(
        "Deals, Amount: 3 of 10 values changed"
    )
    deals = panel.locator('section[data-object-type="deals"]')
    await expect(figure(deals, "Changed")).to_have_text("3")
    await admin_page.screenshot("52-alert-comparison")

    # Restore these records: the earlier backup, only the deals it found, Amount chosen.
    await deals.get_by_role("button", name="Restore these deals").click()
    restore = page.locator("#restore")
    await expect(page.locator("#restore-title")).to_be_focused()
    await expect(restore).to_contain_text(
        "Only the records the comparison found changed or deleted"
    )
    await expect(restore.get_by_label("Amount")).to_be_checked()
    await expect(restore.get_by_label("Deal name")).not_to_be_checked()
    await restore.get_by_role("button", name="Review changes").click()
    to_change = restore.locator(".summary div", has_text="Records to change").locator("dd")
    await expect(to_change).to_have_text("3")
    await expect(restore.locator("#restore-source")).to_contain_text(
        "only the records a comparison found"
    )
    await admin_page.screenshot("53-restore-from-comparison")

    start = restore.get_by_role("button", name="Restore 3 records")
    await restore.locator("#ack-data-change").check()
    await restore.locator("#ack-irreversible").check()
    await restore.get_by_label("Two-factor code").fill(totp.now())
    await start.click()
    await expect(restore.get_by_role("heading", name="Restore complete")).to_be_visible()

    amounts = [(await values_of(record_id)).get("amount") for record_id in ids]
    assert amounts == [str(1000 + i) for i in range(7)] + ["7777"] + [str(1008), str(1009)]
    # From the comparison's earlier backup, limited by the comparison.
    [restored] = (await gql.data(RESTORES, token=tenant.super_admin))["restores"]["nodes"]
    assert (restored["backupId"], restored["comparisonId"]) == (first, str(alerted.id))

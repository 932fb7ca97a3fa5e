"""The admin page's upload in a real browser: a CSV of deals goes up through the form, its
restore is reviewed (what would change, the row it refuses and why) and confirmed like any
restore, then shows in the imports list with its refused row."""

from pathlib import Path

from playwright.async_api import expect

from models.accounts import Role
from models.crm import Record
from tests.support.browser import AdminPage
from tests.support.graphql import GraphQLClient
from tests.support.records import seed_records
from tests.support.tenants import MakeTenant
from tests.support.two_factor import enroll


async def test_upload_a_csv_review_it_restore_it_and_read_its_refused_rows(
    admin_page: AdminPage, make_tenant: MakeTenant, gql: GraphQLClient, tmp_path: Path
) -> None:
    tenant = await make_tenant(passwords=True)
    await seed_records(tenant, "deals", [{"dealname": "Big", "amount": "10"}, {"amount": "20"}])
    good, bad = await Record.filter(account_id=tenant.account.id).order_by("id")
    upload = tmp_path / "deals.csv"
    upload.write_text(f"id,amount\n{good.id},5000\n{bad.id},not a number\n")
    totp = await enroll(gql, tenant.super_admin)
    page = admin_page.page
    await admin_page.signed_in(tenant.users[Role.SUPER_ADMIN].email)

    # A CSV without its object is refused on the page, before anything is sent.
    form = page.locator("#upload-form")
    await form.get_by_label("Backup file").set_input_files(upload)
    await form.get_by_role("button", name="Upload and review").click()
    await expect(form.get_by_role("alert")).to_contain_text("Choose the object")

    await form.get_by_label("Object (for a CSV file)").select_option("deals")
    await form.get_by_role("button", name="Upload and review").click()

    # The review: nothing has changed yet.
    panel = page.locator("#restore")
    deals = panel.get_by_role("region", name="Deals")
    await expect(deals.locator(".summary div", has_text="Records to change")).to_contain_text("1")
    await expect(deals.locator(".summary div", has_text="Rows refused")).to_contain_text("1")
    assert (await Record.get(id=good.id)).properties["amount"] == "10"
    link = deals.get_by_role("link", name="Download the refused deals")
    refused = await page.request.get(await link.get_attribute("href") or "")
    assert (await refused.text()).splitlines() == [
        "id,amount,refusal reason",
        f"{bad.id},not a number,amount: a number such as 1250 or 99.5 is expected.",
    ]
    await panel.get_by_text("Refused rows (first 1)").click()
    refused_row = panel.locator(".refused-rows tbody tr")
    await expect(refused_row).to_contain_text("amount: a number")
    await admin_page.screenshot("11-upload-review")

    await panel.locator("#ack-data-change").check()
    await panel.locator("#ack-irreversible").check()
    await panel.get_by_label("Two-factor code").fill(totp.now())
    await panel.get_by_role("button", name="Restore 1 record").click()
    await expect(panel.get_by_role("heading", name="Restore complete")).to_be_visible()
    assert (await Record.get(id=good.id)).properties["amount"] == "5000"
    assert (await Record.get(id=bad.id)).properties["amount"] == "20"

    # The imports list: the file's entry, and the refused row with why (never its value).
    entry = page.locator("#imports-table tbody tr[data-import-id]").first
    await expect(entry).to_contain_text("deals.csv")
    await expect(entry).to_have_attribute("data-status", "SUCCEEDED")
    await expect(entry).to_contain_text("1 updated")
    await entry.get_by_role("button", name="1 row refused").click()
    rows = page.locator("#imports-table tr.error-rows tbody tr")
    await expect(rows).to_have_count(1)
    await expect(rows).to_contain_text(str(bad.id))
    await expect(rows).to_contain_text("amount")
    await admin_page.screenshot("12-upload-refused-rows")

    # The import's notification leads to the imports list.
    await page.locator("#bell-button").click()
    notifications = page.locator("#notification-list")
    await notifications.get_by_role("button", name="Show: Import - deals.csv finished").click()
    await expect(page.locator("#imports-title")).to_be_focused()

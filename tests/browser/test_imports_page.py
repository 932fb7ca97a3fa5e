"""The admin page's upload in a real browser: a CSV of deals goes up through the form, its good
rows are imported, and the row it refuses shows with the reason."""

from pathlib import Path

from playwright.async_api import expect

from models.accounts import Role
from models.crm import Record
from tests.support.browser import AdminPage
from tests.support.records import seed_records
from tests.support.tenants import MakeTenant


async def test_upload_a_csv_and_read_its_refused_rows(
    admin_page: AdminPage, make_tenant: MakeTenant, tmp_path: Path
) -> None:
    tenant = await make_tenant(passwords=True)
    await seed_records(tenant, "deals", [{"dealname": "Big", "amount": "10"}, {"amount": "20"}])
    good, bad = await Record.filter(account_id=tenant.account.id).order_by("id")
    upload = tmp_path / "deals.csv"
    upload.write_text(f"id,amount\n{good.id},5000\n{bad.id},not a number\n")
    page = admin_page.page
    await admin_page.signed_in(tenant.users[Role.SUPER_ADMIN].email)

    # A CSV without its object is refused on the page, before anything is sent.
    form = page.locator("#upload-form")
    await form.get_by_label("Backup file").set_input_files(upload)
    await form.get_by_role("button", name="Upload and import").click()
    await expect(form.get_by_role("alert")).to_contain_text("Choose the object")

    await form.get_by_label("Object (for a CSV file)").select_option("deals")
    await form.get_by_role("button", name="Upload and import").click()
    entry = page.locator("#imports-table tbody tr[data-import-id]").first
    await expect(entry).to_contain_text("deals.csv")
    await expect(entry).to_have_attribute("data-status", "SUCCEEDED")
    await expect(entry).to_contain_text("1 updated")

    # The refused row, with why: the value is named by its property, never shown.
    await entry.get_by_role("button", name="1 row refused").click()
    refused = page.locator("#imports-table tr.error-rows tbody tr")
    await expect(refused).to_have_count(1)
    await expect(refused).to_contain_text(str(bad.id))
    await expect(refused).to_contain_text("amount")
    await admin_page.screenshot("11-upload-refused-rows")
    assert (await Record.get(id=good.id)).properties["amount"] == "5000"
    assert (await Record.get(id=bad.id)).properties["amount"] == "20"

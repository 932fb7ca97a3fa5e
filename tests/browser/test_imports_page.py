"""The admin page's upload in a real browser: a CSV of deals goes up through the form, its
restore is reviewed (what would change, the row it refuses and why) and confirmed like any
restore, then shows in the imports list with its refused row; another account's backup is
refused with why, then created as new records with its id map; notifications lead to their
import's line."""

import csv
import io
from pathlib import Path

import httpx
from playwright.async_api import expect

from models.accounts import Role
from models.crm import Record
from models.restores import Restore
from tests.support.axe import serious_violations
from tests.support.backups import backup_file
from tests.support.browser import AdminPage
from tests.support.graphql import GraphQLClient
from tests.support.records import records_of, seed_records
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

    # The import's notification leads to its line in the imports list.
    await page.locator("#bell-button").click()
    notifications = page.locator("#notification-list")
    await notifications.get_by_role("button", name="Show: Import - deals.csv finished").click()
    await expect(entry).to_be_focused()
    await expect(entry).to_have_attribute("aria-current", "true")


async def test_another_accounts_backup_is_explained_then_created_as_new_records_with_an_id_map(
    admin_page: AdminPage,
    make_tenant: MakeTenant,
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    tmp_path: Path,
) -> None:
    source, target = await make_tenant(), await make_tenant(passwords=True)
    await seed_records(source, "contacts", [{"firstname": "Ada"}, {"firstname": "Grace"}])
    upload = tmp_path / "other-account.zip"
    upload.write_bytes(await backup_file(gql, http, source.super_admin))
    source_state = await records_of(source.account.id)
    totp = await enroll(gql, target.super_admin)
    page = admin_page.page
    await admin_page.signed_in(target.users[Role.SUPER_ADMIN].email)

    # Refused, and said why in people's words; nothing is stored until asked for.
    admin_page.watched.refused_paths.add("/imports")
    form = page.locator("#upload-form")
    await form.get_by_label("Backup file").set_input_files(upload)
    await form.get_by_role("button", name="Upload and review").click()
    offer = page.locator("#upload-as-new")
    await expect(
        offer.get_by_role("heading", name="This backup is of another account")
    ).to_be_focused()
    await expect(offer).to_contain_text("created here as a new record, with a new id")
    await expect(offer).to_contain_text("None is matched to a record you have now")
    await expect(offer).to_contain_text("can be downloaded with the import")
    assert not await Restore.filter(account_id=target.account.id).exists()
    assert await serious_violations(page) == []
    await admin_page.screenshot("13-upload-another-account")

    # Created as new records: the review says so, then the guards of every restore.
    await offer.get_by_role("button", name="Create its records as new records").click()
    panel = page.locator("#restore")
    contacts = panel.get_by_role("region", name="Contacts")
    await expect(
        contacts.locator(".summary div", has_text="New records to create")
    ).to_contain_text("2")
    await expect(panel).to_contain_text("Creates every record in the file as a new record")
    await expect(offer).to_be_hidden()
    assert await records_of(target.account.id) == {}, "a plan writes no record"
    await admin_page.screenshot("14-upload-as-new-review")
    await panel.locator("#ack-data-change").check()
    await panel.locator("#ack-irreversible").check()
    await panel.get_by_label("Two-factor code").fill(totp.now())
    await panel.get_by_role("button", name="Restore 2 records").click()
    await expect(panel.get_by_role("heading", name="Restore complete")).to_be_visible()
    await expect(panel.locator(".summary div", has_text="Created as new records")).to_contain_text(
        "2"
    )
    created = await records_of(target.account.id)
    assert len(created) == 2 and not created.keys() & source_state.keys()

    # The import's line offers its id map, downloaded over HTTP from a fresh link.
    entry = page.locator(
        "#imports-table tbody tr[data-import-id]", has_text="Import - other-account.zip"
    )
    await expect(entry).to_contain_text("2 created as new records")
    async with page.expect_download() as download_info:
        await entry.get_by_role(
            "button", name="Download the id map of Import - other-account.zip"
        ).click()
    download = await download_info.value
    header, *rows = list(csv.reader(io.StringIO((await download.path()).read_text())))
    assert header == ["object_type", "old_id", "new_id"]
    assert {old: new for _, old, new in rows} == {
        str(old): str(new)
        for new, (_, values, _) in created.items()
        for old, (_, source_values, _) in source_state.items()
        if values == source_values
    }
    await admin_page.screenshot("15-import-as-new-id-map")

    # Its notification, from another page, leads to its line; so does its revert's.
    await page.get_by_role("link", name="Users").click()
    await page.locator("#bell-button").click()
    notifications = page.locator("#notification-list")
    await notifications.get_by_role(
        "button", name="Show: Import - other-account.zip finished"
    ).click()
    await expect(entry).to_be_focused()
    await expect(entry).to_have_attribute("aria-current", "true")
    await expect(entry).to_be_in_viewport()
    assert await serious_violations(page) == []
    await panel.get_by_role("button", name="Revert this restore").click()
    await panel.locator("#ack-data-change").check()
    await panel.locator("#ack-irreversible").check()
    await panel.get_by_role("button", name="Revert 2 records").click()
    await expect(panel.get_by_role("heading", name="Revert complete")).to_be_visible()
    assert await records_of(target.account.id) == {}
    await page.locator("#bell-button").click()
    await notifications.get_by_role(
        "button", name="Show: Import reverted - other-account.zip finished"
    ).click()
    reverted = page.locator("#imports-table tbody tr[data-import-id]", has_text="Import reverted")
    await expect(reverted).to_be_focused()
    await expect(reverted).to_contain_text("2 deleted again")
    await expect(reverted).to_have_attribute("aria-current", "true")
    await expect(entry).not_to_have_attribute("aria-current", "true")
    await admin_page.screenshot("16-import-reverted-highlighted")

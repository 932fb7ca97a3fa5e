"""The users page in Chromium: an invitation accepted in the page, then a sign-in with the
password chosen; a role change; a disabled user's open page signed out at once; a two-factor
reset; a recovery code stepping up for new codes; whom other roles are told to ask."""

import re

import pyotp
from playwright.async_api import expect

from models.accounts import Role
from tests.support.browser import AdminPage, sign_in
from tests.support.graphql import GraphQLClient
from tests.support.tenants import MakeTenant, unique_email
from tests.support.two_factor import enroll_with_recovery_codes, steady_clock

NEW_PASSWORD = "a password of my own"


async def test_an_invitee_sets_a_password_in_the_page_then_signs_in_with_it(
    admin_page: AdminPage, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant(passwords=True)
    super_admin = tenant.users[Role.SUPER_ADMIN]
    page = admin_page.page
    await admin_page.signed_in(super_admin.email)
    await admin_page.users_page()
    invitee = unique_email("invitee")

    form = page.locator("#invite-form")
    await form.get_by_label("Email").fill(invitee)
    await form.get_by_label("Name").fill("Ada Lovelace")
    await form.get_by_label("Role").select_option("ADMIN")
    await form.get_by_role("button", name="Invite").click()
    link = await page.get_by_label("Invitation link").input_value()
    await expect(admin_page.user_row(invitee)).to_contain_text("Invited")
    await admin_page.screenshot("users-01-invited")

    tab = await admin_page.another_tab()
    await tab.goto(link)
    await expect(tab.get_by_role("heading", name="Set your password")).to_be_visible()
    # The token leaves the address at once.
    assert "invitation" not in tab.url
    await tab.get_by_label("Choose a password").fill(NEW_PASSWORD)
    await tab.get_by_label("Repeat it").fill(NEW_PASSWORD + "!")
    await tab.get_by_role("button", name="Set password and sign in").click()
    await expect(tab.locator("#invitation-error")).to_have_text("The two passwords differ.")
    await tab.get_by_label("Repeat it").fill(NEW_PASSWORD)
    await tab.get_by_role("button", name="Set password and sign in").click()

    # An admin: told whom to ask, by name.
    ask = tab.locator("#ask-a-super-admin")
    await expect(ask).to_contain_text("you are signed in as admin")
    await expect(ask.get_by_role("listitem")).to_have_text([super_admin.email])
    await tab.get_by_role("button", name="Sign out").click()
    await sign_in(tab, invitee, NEW_PASSWORD)
    await expect(tab.locator("#user-email")).to_have_text(invitee)

    await page.reload()
    await admin_page.users_page()
    row = admin_page.user_row(invitee)
    await expect(row).to_contain_text("Ada Lovelace")
    await expect(row).to_contain_text("Active")
    await expect(row.locator("td[data-label='Last sign-in']")).not_to_have_text("—")
    await admin_page.screenshot("users-02-invitation-accepted")


async def test_a_role_change_and_a_disable_reach_the_users_open_page(
    admin_page: AdminPage, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant(passwords=True)
    admin = tenant.users[Role.ADMIN]
    page = admin_page.page
    await admin_page.signed_in(tenant.users[Role.SUPER_ADMIN].email)
    await admin_page.users_page()
    theirs = await admin_page.another_tab()
    await theirs.goto(f"{admin_page.server.url}/admin")
    await sign_in(theirs, admin.email, "correct horse battery")
    await expect(theirs.locator("#ask-a-super-admin")).to_contain_text("signed in as admin")
    await theirs.locator("#live-status[data-status=live]").wait_for()

    row = admin_page.user_row(admin.email)
    await row.get_by_label(f"Role of {admin.email}").select_option("MEMBER")
    await expect(page.locator("#toasts")).to_contain_text(f"{admin.email} is now a member.")
    await expect(theirs.locator("#ask-a-super-admin")).to_contain_text("signed in as member")

    # The last super admin cannot demote themself: the server says so and the list stays.
    mine = admin_page.user_row(tenant.users[Role.SUPER_ADMIN].email)
    await mine.get_by_role("combobox").select_option("ADMIN")
    await expect(page.locator("#toasts")).to_contain_text("last active super admin")
    await expect(mine.get_by_role("combobox")).to_have_value("SUPER_ADMIN")

    await theirs.locator("#live-status[data-status=live]").wait_for()
    await row.get_by_role("button", name="Disable").click()
    await admin_page.confirm(f"Disable {admin.email}?", "Disable")
    await expect(row).to_contain_text("Disabled")
    await expect(theirs.get_by_role("heading", name="Sign in")).to_be_visible()
    await expect(theirs.locator("#sign-in-error")).to_have_text(
        "Your session has ended. Please sign in again."
    )
    await sign_in(theirs, admin.email, "correct horse battery")
    await expect(theirs.locator("#sign-in-error")).to_contain_text("disabled your access")
    await admin_page.screenshot("users-03-disabled")

    await row.get_by_role("button", name="Enable").click()
    await expect(row).to_contain_text("Active")


async def test_a_super_admin_resets_another_users_two_factor(
    admin_page: AdminPage, make_tenant: MakeTenant, gql: GraphQLClient
) -> None:
    tenant = await make_tenant(passwords=True)
    admin = tenant.users[Role.ADMIN]
    await enroll_with_recovery_codes(gql, tenant.admin)
    await admin_page.signed_in(tenant.users[Role.SUPER_ADMIN].email)
    await admin_page.users_page()
    row = admin_page.user_row(admin.email)
    await expect(row.locator("td[data-label='Two-factor']")).to_have_text("On")

    await row.get_by_role("button", name="Reset two-factor").click()
    await admin_page.confirm(f"Reset two-factor for {admin.email}?", "Reset two-factor")

    await expect(row.locator("td[data-label='Two-factor']")).to_have_text("Off")
    await expect(row.get_by_role("button", name="Reset two-factor")).to_have_count(0)
    await admin_page.screenshot("users-04-two-factor-reset")


async def test_set_up_shows_recovery_codes_and_one_steps_up_for_new_ones(
    admin_page: AdminPage, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant(passwords=True)
    page = admin_page.page
    await admin_page.signed_in(tenant.users[Role.SUPER_ADMIN].email)
    await admin_page.users_page()
    card = page.locator("#my-two-factor")

    await card.get_by_role("button", name="Set up two-factor authentication").click()
    secret = await card.locator("code").inner_text()
    await steady_clock()
    await card.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    await card.get_by_role("button", name="Turn on two-factor").click()
    listed = card.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    await expect(listed).to_have_count(10)
    codes = await listed.all_inner_texts()
    assert len(codes) == 10 and all(
        re.fullmatch(r"[a-z0-9]{5}-[a-z0-9]{5}", code) for code in codes
    )
    await admin_page.screenshot("users-05-recovery-codes")

    await page.reload()
    await admin_page.users_page()
    await expect(listed).to_have_count(0)
    await expect(card.locator("#recovery-codes-left")).to_contain_text("10 recovery codes left")
    await card.get_by_label("Two-factor code or recovery code").fill(codes[0].upper())
    await card.get_by_role("button", name="Make new recovery codes").click()

    await expect(page.locator("#toasts")).to_contain_text(
        "Recovery code accepted: 9 recovery codes left."
    )
    # Shown only once: after the reload, these are the new ones.
    await expect(listed).to_have_count(10)
    fresh = await listed.all_inner_texts()
    assert not set(fresh) & set(codes)
    await expect(card.locator("#recovery-codes-left")).to_contain_text("10 recovery codes left")
    await admin_page.screenshot("users-06-new-recovery-codes")

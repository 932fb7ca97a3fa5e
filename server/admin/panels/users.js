// The users page: everyone who can sign in to the account, with role, two-factor, status and
// last sign-in. A super admin changes a role, disables or enables a user, resets another user's
// two-factor, and invites new users with a link. The server keeps an active super admin.

import { gql } from "../lib/api.js";
import { confirmAction } from "../lib/confirm.js";
import { $, announce, busy, h, replace, showError } from "../lib/dom.js";
import { describe } from "../lib/errors.js";
import { formatRole, ROLES, when } from "../lib/format.js";

const FIELDS = "id email name role totpEnrolled disabled hasPassword lastLoginAt";
const USERS = `{ users { ${FIELDS} } }`;
const SET_ROLE = `mutation($id: ID!, $role: Role!) { setUserRole(userId: $id, role: $role) { id } }`;
const DISABLE = `mutation($id: ID!) { disableUser(userId: $id) { id } }`;
const ENABLE = `mutation($id: ID!) { enableUser(userId: $id) { id } }`;
const RESET_TWO_FACTOR = `mutation($id: ID!) { resetUserTwoFactor(userId: $id) { id } }`;
const INVITE = `mutation($email: String!, $role: Role!, $name: String!) {
  inviteUser(email: $email, role: $role, name: $name) { invitationToken user { email } } }`;

let me = null;

export function init() {
  replace($("#invite-role"), ROLES.map((role) => h("option", { value: role }, formatRole(role))));
  $("#invite-role").value = "MEMBER";
  $("#invite-form").addEventListener("submit", invite);
}

export async function load(signedIn) {
  me = signedIn;
  await refresh();
}

export function reset() {
  me = null;
  replace($("#users-table tbody"));
  replace($("#invite-link"));
  $("#invite-link").hidden = true;
}

async function refresh() {
  const { users } = await gql(USERS);
  replace($("#users-table tbody"), users.map(row));
}

function row(user) {
  const who = user.name || user.email;
  return h("tr", { dataset: { email: user.email } },
    h("td", { "data-label": "User" }, who, user.name ? h("div", { class: "subtle" }, user.email) : null),
    h("td", { "data-label": "Role" }, roleSelect(user)),
    h("td", { "data-label": "Two-factor" }, user.totpEnrolled ? "On" : "Off"),
    h("td", { "data-label": "Status" }, user.disabled ? "Disabled" : user.hasPassword ? "Active" : "Invited"),
    h("td", { "data-label": "Last sign-in" }, when(user.lastLoginAt)),
    h("td", { class: "row-actions" }, user.id === me.user.id ? h("span", { class: "subtle" }, "You") : actions(user)));
}

function roleSelect(user) {
  const select = h("select", { "aria-label": `Role of ${user.email}` },
    ROLES.map((role) => h("option", { value: role, selected: role === user.role }, formatRole(role))));
  select.addEventListener("change", () => change(select, SET_ROLE, { id: user.id, role: select.value },
    `${user.email} is now ${aRole(select.value)}.`));
  return select;
}

// "a member", "an admin", "a super admin".
function aRole(role) {
  const name = formatRole(role).toLowerCase();
  return `${/^[aeiou]/.test(name) ? "an" : "a"} ${name}`;
}

function actions(user) {
  const toggle = user.disabled
    ? button("Enable", () => change(toggle, ENABLE, { id: user.id }, `${user.email} can sign in again.`))
    : button("Disable", async () => {
      const sure = await confirmAction({ title: `Disable ${user.email}?`, action: "Disable",
        text: "They are signed out everywhere at once, and cannot sign in until a super admin enables them again." });
      if (sure) await change(toggle, DISABLE, { id: user.id }, `${user.email} is disabled and signed out.`);
    });
  if (!user.totpEnrolled) return toggle;
  const resetTwoFactor = button("Reset two-factor", async () => {
    const sure = await confirmAction({ title: `Reset two-factor for ${user.email}?`, action: "Reset two-factor",
      text: "Their authenticator app and recovery codes stop working, and they set two-factor up again. "
        + "Do this only when you know it is them asking, for instance after a lost phone." });
    if (sure) await change(resetTwoFactor, RESET_TWO_FACTOR, { id: user.id }, `Two-factor is off for ${user.email}.`);
  });
  return [resetTwoFactor, toggle];
}

function button(label, onClick) {
  const element = h("button", { type: "button", class: "secondary" }, label);
  element.addEventListener("click", onClick);
  return element;
}

// One change to a user; the list is read again either way (a refused role change goes back).
async function change(control, mutation, variables, done) {
  try {
    await busy(control, () => gql(mutation, variables));
    announce(done);
  } catch (error) {
    announce(describe(error), { tone: "error" });
  }
  await refresh().catch((error) => announce(describe(error), { tone: "error" }));
}

async function invite(event) {
  event.preventDefault();
  const form = event.target;
  const email = form.elements.email.value.trim();
  if (!email) {
    showError($("#invite-error"), "Enter the new user's email.");
    form.elements.email.focus();
    return;
  }
  showError($("#invite-error"), null);
  const variables = { email, name: form.elements.name.value.trim(), role: form.elements.role.value };
  try {
    const data = await busy(form.querySelector("button[type=submit]"), () => gql(INVITE, variables));
    form.reset();
    $("#invite-role").value = "MEMBER";
    showInvitationLink(data.inviteUser);
    await refresh();
  } catch (error) {
    showError($("#invite-error"), describe(error));
  }
}

// The token goes in the fragment: a browser never sends that part of an address to a server.
function showInvitationLink({ invitationToken, user }) {
  const link = `${location.origin}${location.pathname}#invitation=${encodeURIComponent(invitationToken)}`;
  const input = h("input", { type: "text", id: "invitation-link", readonly: true, value: link });
  const copy = button("Copy link", async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(link);
      announce("Link copied.");
    } catch {
      announce("Copy the selected link with your keyboard or the context menu.");
    }
  });
  replace($("#invite-link"),
    h("p", { role: "status" }, `Invitation ready. Send this link to ${user.email}; it is shown only now.`),
    h("label", { for: "invitation-link" }, "Invitation link"), input, copy);
  $("#invite-link").hidden = false;
  input.select();
}

// What the other roles see: the page is for super admins, and who those are, to ask them.

import { gql } from "../lib/api.js";
import { $, h, replace } from "../lib/dom.js";
import { formatRole } from "../lib/format.js";

const SUPER_ADMINS = `{ superAdmins { name email } }`;

export async function load(me) {
  const { superAdmins } = await gql(SUPER_ADMINS);
  const role = formatRole(me.user.role).toLowerCase();
  $("#ask-role").textContent = `Backup and restore are for super admins; you are signed in as ${role}. `
    + (superAdmins.length === 1 ? "Ask your super admin:" : "Ask one of your super admins:");
  replace($("#ask-list"), superAdmins.map((admin) => h("li", {},
    admin.name ? `${admin.name}, ` : "", h("a", { href: `mailto:${admin.email}` }, admin.email))));
  $("#ask-a-super-admin").hidden = false;
}

export function reset() {
  $("#ask-a-super-admin").hidden = true;
  replace($("#ask-list"));
}

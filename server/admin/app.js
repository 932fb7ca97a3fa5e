// The page's entry point: who is signed in, then each panel loads its own part from the API.
// Everything shown comes from the API, so a reload shows the same page.

import { gql } from "./lib/api.js";
import { $, h, replace, showError } from "./lib/dom.js";
import { describe } from "./lib/errors.js";
import * as live from "./lib/live.js";
import * as session from "./lib/session.js";
import * as backups from "./panels/backups.js";
import * as imports from "./panels/imports.js";
import * as notifications from "./panels/notifications.js";
import * as restore from "./panels/restore.js";
import * as restores from "./panels/restores.js";
import * as schedule from "./panels/schedule.js";
import * as signIn from "./panels/sign-in.js";
import * as upload from "./panels/upload.js";

const ME = `{ me { authMethod totpEnrolled
  user { id email name role } account { id name tier } } }`;
const LOGOUT = `mutation { logout }`;

const PANELS = [backups, schedule, notifications, upload, restore, restores, imports];
const LIVE_STATUS = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…", closed: "Offline" };

async function start() {
  if (!session.token() && !(await signIn.fromIdentityProvider())) {
    signIn.show();
    return;
  }
  let me;
  try {
    ({ me } = await gql(ME));
  } catch (error) {
    // An ended session is already back on the sign-in form (see lib/api.js).
    if (error.code !== "UNAUTHENTICATED") signIn.show(error);
    return;
  }
  signIn.hide();
  showSession(me);
  if (me.user.role !== "SUPER_ADMIN") {
    showWorkspaceError(`Backup and restore are for super admins; you are signed in as ${me.user.role.toLowerCase().replace("_", " ")}.`);
    await notifications.load().catch(() => {});
    return;
  }
  const results = await Promise.allSettled(PANELS.map((panel) => panel.load?.(me)));
  const failed = results.find((result) => result.status === "rejected");
  if (failed) showWorkspaceError(describe(failed.reason));
}

function showSession(me) {
  replace($("#account-name"), me.account.name, " ", h("span", { class: "tier" }, me.account.tier.toLowerCase()));
  $("#user-email").textContent = me.user.email;
  $("#session-bar").hidden = false;
  $("#workspace").hidden = false;
  for (const card of $("#workspace").querySelectorAll(":scope > .card, :scope > .columns")) {
    card.hidden = me.user.role !== "SUPER_ADMIN" || card.id === "restore";
  }
  showWorkspaceError(null);
}

function showWorkspaceError(message) {
  showError($("#workspace-error"), message);
}

function signedOut(reason) {
  live.connection.close();
  PANELS.forEach((panel) => panel.reset?.());
  $("#session-bar").hidden = true;
  $("#workspace").hidden = true;
  signIn.show(reason);
}

async function signOut() {
  // The server forgets the session too; the page signs out even if the server is unreachable.
  await gql(LOGOUT).catch(() => {});
  session.signOut();
}

live.onStatus((status) => {
  const element = $("#live-status");
  element.dataset.status = status;
  element.textContent = LIVE_STATUS[status] ?? status;
});
session.onSignOut(signedOut);
signIn.init(start);
PANELS.forEach((panel) => panel.init?.());
$("#sign-out").addEventListener("click", signOut);
start();

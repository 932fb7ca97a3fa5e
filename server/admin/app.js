// The page's entry point: who is signed in, then each panel loads its own part from the API.
// Everything shown comes from the API, so a reload shows the same page.

import { gql } from "./lib/api.js";
import { $, h, replace, showError } from "./lib/dom.js";
import { describe } from "./lib/errors.js";
import * as live from "./lib/live.js";
import * as session from "./lib/session.js";
import * as views from "./lib/views.js";
import * as auditLog from "./panels/audit-log.js";
import * as backups from "./panels/backups.js";
import * as compare from "./panels/compare.js";
import * as imports from "./panels/imports.js";
import * as invitation from "./panels/invitation.js";
import * as massChangeAlerts from "./panels/mass-change-alerts.js";
import * as myTwoFactor from "./panels/my-two-factor.js";
import * as notifications from "./panels/notifications.js";
import * as restore from "./panels/restore.js";
import * as restores from "./panels/restores.js";
import * as retention from "./panels/retention.js";
import * as schedule from "./panels/schedule.js";
import * as signIn from "./panels/sign-in.js";
import * as superAdmins from "./panels/super-admins.js";
import * as upload from "./panels/upload.js";
import * as users from "./panels/users.js";

const ME = `{ me { authMethod totpEnrolled
  user { id email name role } account { id name tier } } }`;
const LOGOUT = `mutation { logout }`;

// The super admins' panels; the other roles see only whom to ask (superAdmins).
const PANELS = [backups, schedule, retention, notifications, upload, restore, restores, imports, users, myTwoFactor, auditLog,
  compare, massChangeAlerts];
const LIVE_STATUS = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…", closed: "Offline" };

async function start() {
  if (invitation.fromLink()) return; // signed in once the password is chosen
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
    await superAdmins.load(me).catch((error) => showWorkspaceError(describe(error)));
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
  views.show(me.user.role === "SUPER_ADMIN");
  showGraphiQLLink();
  $("#restore").hidden = true;
  showWorkspaceError(null);
}

// GraphiQL's page (same tab, so it has this session) answers only when the server has it on.
async function showGraphiQLLink() {
  const response = await fetch("/graphql", { headers: { Accept: "text/html" } }).catch(() => null);
  $("#graphiql-link").hidden = !response?.ok;
}

function showWorkspaceError(message) {
  showError($("#workspace-error"), message);
}

function signedOut(reason) {
  live.connection.close();
  [...PANELS, superAdmins].forEach((panel) => panel.reset?.());
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
invitation.init(start);
views.init();
PANELS.forEach((panel) => panel.init?.());
$("#sign-out").addEventListener("click", signOut);
start();

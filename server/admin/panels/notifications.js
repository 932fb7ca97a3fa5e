// The bell: the unread count, the latest notifications, and new ones live as they arrive.
// The server sends one whenever a backup, import or restore finishes, whoever started it: it is
// what refreshes that part of the page, once per finished job.

import { gql } from "../lib/api.js";
import { emit } from "../lib/bus.js";
import { $, announce, h, replace } from "../lib/dom.js";
import { describe } from "../lib/errors.js";
import { when } from "../lib/format.js";
import { onReconnected, watchNotifications } from "../lib/live.js";

const LIST = `{ unreadNotificationCount
  notifications(first: 20) { nodes { id kind title body subjectId createdAt readAt } } }`;
const MARK_READ = `mutation($ids: [ID!]) { markNotificationsRead(ids: $ids) }`;
// What a notification's kind (BACKUP_READY, RESTORE_FAILED, …) refreshes. A finished restore
// also has its line under Imports ("Data restore - …"), and an import its line in the history.
const REFRESHES = {
  BACKUP: ["backups-changed"],
  IMPORT: ["imports-changed", "restores-changed"],
  RESTORE: ["restores-changed", "imports-changed"],
  MASS: ["comparisons-changed"],
};

let notifications = [];
let unread = 0;
let stopWatching = null;

export function init() {
  $("#bell-button").addEventListener("click", () => setOpen($("#notifications-panel").hidden));
  $("#mark-all-read").addEventListener("click", () => markRead(null));
  // Escape or a click elsewhere closes the list, as people expect of a popover.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !$("#notifications-panel").hidden) {
      setOpen(false);
      $("#bell-button").focus();
    }
  });
  document.addEventListener("click", (event) => {
    if (!event.target.closest(".bell")) setOpen(false);
  });
  // While the socket was down, notifications may have come and gone unseen.
  onReconnected(() => catchUp().catch(() => {}));
}

export async function load() {
  show(await gql(LIST));
  stopWatching ??= watchNotifications(arrived);
}

export function reset() {
  stopWatching?.();
  stopWatching = null;
  notifications = [];
  unread = 0;
  setOpen(false);
  render();
}

function arrived(notification) {
  notifications = [notification, ...notifications.filter((n) => n.id !== notification.id)].slice(0, 20);
  unread += 1;
  render();
  announce(notification.title, {
    tone: notification.kind.endsWith("FAILED") ? "error" : "info",
    action: leadsTo(notification),
  });
  refresh([notification]);
}

// Where a notification leads: a ready backup downloads; a restore or an import opens its panel.
// A mass-change alert opens its comparison. `subjectId` is the backup's, the restore's or the
// comparison's id.
function leadsTo(notification) {
  const id = notification.subjectId;
  if (!id) return null;
  if (notification.kind === "BACKUP_READY") {
    return { label: "Download", name: `Download: ${notification.title}`, run: () => emit("download-backup", id) };
  }
  const event = { RESTORE: "open-restore", IMPORT: "open-imports", MASS: "open-comparison" }[notification.kind.split("_")[0]];
  return event ? { label: "Show", name: `Show: ${notification.title}`, run: () => emit(event, id) } : null;
}

// After a reconnect: the bell again, and the parts of the page that the missed ones concern.
// `known` is read after the fetch, so one that arrived live meanwhile is not refreshed twice.
async function catchUp() {
  const data = await gql(LIST);
  const known = new Set(notifications.map((notification) => notification.id));
  show(data);
  refresh(notifications.filter((notification) => !known.has(notification.id)));
}

function refresh(news) {
  const events = new Set(news.flatMap((notification) => REFRESHES[notification.kind.split("_")[0]] ?? []));
  events.forEach((event) => emit(event));
}

function show(data) {
  notifications = data.notifications.nodes;
  unread = data.unreadNotificationCount;
  render();
}

function render() {
  const badge = $("#unread-count");
  badge.textContent = unread > 99 ? "99+" : String(unread);
  badge.hidden = unread === 0;
  $("#bell-button").setAttribute("aria-label", unread ? `Notifications, ${unread} unread` : "Notifications");
  $("#mark-all-read").disabled = unread === 0;
  replace($("#notification-list"), notifications.length
    ? notifications.map(item)
    : h("li", { class: "empty" }, "Nothing yet."));
}

function item(notification) {
  const action = leadsTo(notification);
  return h("li", { class: notification.readAt ? "read" : "unread", dataset: { kind: notification.kind } },
    h("div", { class: "notification-title" }, notification.title),
    notification.body ? h("div", { class: "notification-body" }, notification.body) : null,
    action ? h("button", { type: "button", class: "link-button", "aria-label": action.name, onclick: () => {
      setOpen(false);
      action.run();
    } }, action.label) : null,
    h("div", { class: "subtle" }, when(notification.createdAt)));
}

function setOpen(open) {
  $("#notifications-panel").hidden = !open;
  $("#bell-button").setAttribute("aria-expanded", String(open));
}

async function markRead(ids) {
  try {
    await gql(MARK_READ, { ids });
    await load();
  } catch (error) {
    announce(describe(error), { tone: "error" });
  }
}

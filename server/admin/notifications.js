// The bell: the unread count, the latest notifications, and new ones live as they arrive.
// A notification about a backup, restore or import also refreshes that part of the page.

import { gql } from "./api.js";
import { emit } from "./bus.js";
import { $, announce, h, replace } from "./dom.js";
import { describe } from "./errors.js";
import { formatDateTime } from "./format.js";
import { onReconnected, watchNotifications } from "./live.js";

const LIST = `{ unreadNotificationCount
  notifications(first: 20) { nodes { id kind title body subjectId createdAt readAt } } }`;
const MARK_READ = `mutation($ids: [ID!]) { markNotificationsRead(ids: $ids) }`;

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
  onReconnected(() => load().catch(() => {}));
}

export async function load() {
  const data = await gql(LIST);
  notifications = data.notifications.nodes;
  unread = data.unreadNotificationCount;
  render();
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
  announce(notification.title, { tone: notification.kind.endsWith("FAILED") ? "error" : "info" });
  if (notification.kind.startsWith("BACKUP")) emit("backups-changed");
  if (notification.kind.startsWith("RESTORE") || notification.kind.startsWith("IMPORT")) {
    emit("restores-changed");
    emit("imports-changed");
  }
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
  return h("li", { class: notification.readAt ? "read" : "unread", dataset: { kind: notification.kind } },
    h("div", { class: "notification-title" }, notification.title),
    notification.body ? h("div", { class: "notification-body" }, notification.body) : null,
    h("time", { datetime: notification.createdAt, class: "subtle" }, formatDateTime(notification.createdAt)));
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

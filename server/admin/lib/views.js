// The workspace's pages: backup and restore (no fragment), #users and #audit-log. The address
// keeps the page across a reload, and the browser's back button moves between them.

import { $ } from "./dom.js";

const VIEWS = ["backups", "users", "audit-log"];

function current() {
  const name = location.hash.slice(1);
  return VIEWS.includes(name) ? name : "backups";
}

// Shows the page the address names; `shown` false hides them all (roles without the pages).
export function show(shown = true) {
  const name = current();
  $("#view-tabs").hidden = !shown;
  for (const view of VIEWS) $(`#view-${view}`).hidden = !shown || view !== name;
  for (const tab of $("#view-tabs").querySelectorAll("a")) {
    if (tab.dataset.view === name) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
}

export function init() {
  addEventListener("hashchange", () => {
    if (!$("#view-tabs").hidden) show();
  });
}

// "Open panel X on item Y", the one way a notification leads to what it is about: the page
// holding the item is shown, and the item marked, scrolled into view and given the focus, so
// that keyboard and screen reader users land on it too. One item is marked at a time.

import { $, announce } from "./dom.js";
import { describe } from "./errors.js";
import * as views from "./views.js";

// `item` null (it is no longer among those listed): `list`, the list's heading, instead.
export function reveal(item, list) {
  const target = item ?? list;
  const view = target.closest(".view");
  if (view?.hidden) {
    location.hash = view.id.replace(/^view-/, "");
    views.show(); // now: the hashchange event comes later, and a hidden item takes no focus
  }
  for (const marked of document.querySelectorAll("[data-revealed]")) {
    delete marked.dataset.revealed;
    marked.removeAttribute("aria-current");
  }
  if (item) {
    item.dataset.revealed = "";
    item.setAttribute("aria-current", "true");
  }
  target.tabIndex = -1;
  target.scrollIntoView({ block: item ? "center" : "start" });
  target.focus({ preventScroll: true });
}

// A list whose lines are about restores (the restore history, the imports): `load` it afresh,
// as the notification may be newer than the list, then reveal the line of `restoreId`.
export async function revealRestoreLine(load, table, heading, restoreId) {
  try {
    await load();
    reveal($(`${table} tr[data-restore-id="${CSS.escape(restoreId)}"]`), $(heading));
  } catch (error) {
    announce(describe(error), { tone: "error" });
  }
}

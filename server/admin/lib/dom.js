// Building the page's elements. Text from the API only ever goes in as text (never as HTML),
// so a record value or a file name cannot inject markup.

import { when } from "./format.js";

// h("button", {class: "primary", onclick: save}, "Save")
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, value);
  }
  element.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return element;
}

// How imports and restores word their status; backups have their own ("Ready", "Expired").
const JOB_STATUS_LABELS = { QUEUED: "Queued", RUNNING: "Running", SUCCEEDED: "Done", FAILED: "Failed" };

// A job's status as a badge, coloured by the status (admin.css).
export function statusBadge(status, labels = JOB_STATUS_LABELS) {
  return h("span", { class: `status status-${status.toLowerCase()}` }, labels[status] ?? status);
}

// When a job was asked for, and by whom: a table cell.
export function requestedCell(job, label = "Requested") {
  return h("td", { "data-label": label }, when(job.createdAt),
    job.requestedBy ? h("div", { class: "subtle" }, job.requestedBy.email) : null);
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

export function replace(element, ...children) {
  element.replaceChildren(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
}

const MAX_TOASTS = 3;
const TOAST_MS = 8000;

// Screen readers hear it; sighted users see it for a few seconds in the messages region under
// the top bar, which is in the page's flow and so never covers a control. At most a few at a
// time (the oldest goes), each dismissible; `action` ({label, name, run}) leads somewhere.
export function announce(message, { tone = "info", action = null } = {}) {
  $("#announcer").textContent = message;
  const toast = h("div", { class: `toast ${tone}`, role: tone === "error" ? "alert" : null });
  const dismiss = () => toast.remove();
  const go = action
    ? h("button", { type: "button", class: "link-button", "aria-label": action.name ?? null,
      onclick: () => { dismiss(); action.run(); } }, action.label)
    : null;
  toast.append(h("span", {}, message), go ?? "",
    h("button", { type: "button", class: "icon-button dismiss", "aria-label": "Dismiss", onclick: dismiss }, "×"));
  const region = $("#toasts");
  region.append(toast);
  while (region.children.length > MAX_TOASTS) region.firstElementChild.remove();
  setTimeout(dismiss, TOAST_MS);
}

// An inline message under a form: shown for an error, hidden when cleared.
export function showError(element, message) {
  element.textContent = message ?? "";
  element.hidden = !message;
}

// Runs an action from a button: disabled while it runs, so a double click does not send twice.
export async function busy(button, action) {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await action();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

// Fetches a file from a signed link without leaving the page (the server answers it as an
// attachment).
export function startDownload(url) {
  const link = h("a", { href: url, download: "" });
  document.body.append(link);
  link.click();
  link.remove();
}

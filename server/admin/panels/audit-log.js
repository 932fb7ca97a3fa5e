// The audit log page: who did what, filtered by action, person and dates, a page at a time,
// and the same entries as a CSV file through a signed link.

import { gql } from "../lib/api.js";
import { $, busy, h, replace, showError, startDownload } from "../lib/dom.js";
import { describe } from "../lib/errors.js";
import { when } from "../lib/format.js";

const ENTRIES = `query($filter: AuditLogFilter, $after: String) {
  auditLog(first: 50, after: $after, filter: $filter) {
    nodes { id action actor { email name } targetType targetId details createdAt }
    pageInfo { hasNextPage endCursor } } }`;
const CHOICES = `{ auditLogActions users { id email name } }`;
const EXPORT_URL = `query($filter: AuditLogFilter) { auditLogExportUrl(filter: $filter) }`;
// Words of actions that read better spelled out.
const WORDS = { TOTP: "two-factor", LOGIN: "sign-in" };

let nextPage = null;

export function init() {
  $("#audit-log-filter").addEventListener("submit", (event) => {
    event.preventDefault();
    show(() => load());
  });
  $("#audit-log-more").addEventListener("click", (event) =>
    show(() => busy(event.currentTarget, () => entries({ more: true }))));
  $("#audit-log-export").addEventListener("click", (event) => show(async () => {
    const data = await busy(event.currentTarget, () => gql(EXPORT_URL, { filter: filter() }));
    startDownload(data.auditLogExportUrl);
  }));
}

export async function load() {
  const { auditLogActions, users } = await gql(CHOICES);
  fill($("#audit-log-action"), "Any action", auditLogActions.map((action) => [action, actionName(action)]));
  fill($("#audit-log-actor"), "Anyone", users.map((user) => [user.id, user.name || user.email]));
  await entries();
}

export function reset() {
  nextPage = null;
  replace($("#audit-log-table tbody"));
  $("#audit-log-filter").reset();
}

// Runs an action of the page; a refusal (a date range backwards) shows above the list.
async function show(action) {
  showError($("#audit-log-error"), null);
  try {
    await action();
  } catch (error) {
    showError($("#audit-log-error"), describe(error));
  }
}

async function entries({ more = false } = {}) {
  const data = await gql(ENTRIES, { filter: filter(), after: more ? nextPage : null });
  const page = data.auditLog;
  const rows = page.nodes.map(row);
  if (more) $("#audit-log-table tbody").append(...rows);
  else replace($("#audit-log-table tbody"), rows);
  nextPage = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  $("#audit-log-more").hidden = nextPage === null;
  $("#audit-log-empty").hidden = $("#audit-log-table tbody").children.length > 0;
}

// Keeps the choice made, if it is still offered.
function fill(select, anyLabel, options) {
  const chosen = select.value;
  replace(select, h("option", { value: "" }, anyLabel),
    options.map(([value, label]) => h("option", { value }, label)));
  select.value = options.some(([value]) => value === chosen) ? chosen : "";
}

// The form as the API's filter. Dates are whole days in the browser's time zone, "To" included.
function filter() {
  const form = $("#audit-log-filter").elements;
  const day = (value, days = 0) => {
    if (!value) return null;
    const start = new Date(`${value}T00:00`);
    start.setDate(start.getDate() + days);
    return start.toISOString();
  };
  return {
    action: form.action.value || null,
    actorId: form.actor.value || null,
    since: day(form.since.value),
    until: day(form.until.value, 1),
  };
}

function row(entry) {
  return h("tr", { dataset: { action: entry.action } },
    h("td", { "data-label": "When" }, when(entry.createdAt)),
    h("td", { "data-label": "Action" }, actionName(entry.action)),
    h("td", { "data-label": "Who" }, entry.actor ? entry.actor.name || entry.actor.email : "The system"),
    h("td", { "data-label": "Details" }, details(entry)));
}

// "USER_ROLE_CHANGED" reads "User role changed"; "TOTP_RESET", "Two-factor reset".
function actionName(action) {
  const words = action.split("_").map((word) => WORDS[word] ?? word.toLowerCase());
  const sentence = words.join(" ");
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

function details(entry) {
  const pairs = Object.entries(entry.details ?? {}).map(([name, value]) =>
    `${name.replaceAll("_", " ")}: ${typeof value === "object" ? JSON.stringify(value) : value}`);
  return h("span", { class: "subtle" }, pairs.join("; "));
}

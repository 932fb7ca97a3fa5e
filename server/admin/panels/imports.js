// The imports list: uploaded files and finished restores ("Data restore - …"), with their
// counts, the rows they refused, and the id map of a file imported as new records. It reloads
// when one finishes: notifications.js says so.

import { gql } from "../lib/api.js";
import { on } from "../lib/bus.js";
import { $, announce, busy, h, replace, requestedCell, startDownload, statusBadge } from "../lib/dom.js";
import { describe } from "../lib/errors.js";
import { formatNumber } from "../lib/format.js";
import { revealRestoreLine } from "../lib/reveal.js";

const IMPORTS = `{ imports(first: 20) { nodes { id name source status objectType restoreId createdAt
  completedAt failureReason requestedBy { email } idMapDownloadUrl
  counts { created updated restoredFromRecycleBin unchanged failed returnedToRecycleBin deleted } } } }`;
// A link is good for minutes: each download asks for a fresh one.
const ID_MAP = `query($id: ID!) { import(id: $id) { idMapDownloadUrl } }`;
const ERROR_ROWS = `query($id: ID!, $after: String) { import(id: $id) {
  errorRowsDownloadUrl
  errorRows(first: 20, after: $after) { nodes { rowNumber objectType recordId reason }
    pageInfo { hasNextPage endCursor } } } }`;

export function init() {
  on("imports-changed", () => load().catch((error) => announce(describe(error), { tone: "error" })));
  // An import's notification (its subject: the import's restore) opens the list on it.
  on("open-imports", (restoreId) => revealRestoreLine(load, "#imports-table", "#imports-title", restoreId));
}

export async function load() {
  const imports = (await gql(IMPORTS)).imports.nodes;
  replace($("#imports-table tbody"), imports.flatMap(rows));
  $("#imports-empty").hidden = imports.length > 0;
  $("#imports-table").hidden = imports.length === 0;
}

export function reset() {
  replace($("#imports-table tbody"));
}

function counts(job) {
  // Only an import as new records has an id map: its created records are new ones.
  const parts = [
    ["updated", job.counts.updated],
    [job.idMapDownloadUrl ? "created as new records" : "brought back", job.counts.created],
    ["out of the recycle bin", job.counts.restoredFromRecycleBin],
    ["unchanged", job.counts.unchanged],
    ["sent back to the recycle bin", job.counts.returnedToRecycleBin],
    ["deleted again", job.counts.deleted],
  ].filter(([, count]) => count > 0);
  return parts.length ? parts.map(([label, count]) => `${formatNumber(count)} ${label}`).join(", ") : "—";
}

// The import's row, and a second one holding its error rows once asked for.
function rows(job) {
  const details = h("tr", { class: "error-rows", hidden: true },
    h("td", { colspan: "5", class: "full" }));
  const errors = job.counts.failed
    ? h("button", { type: "button", class: "link-button", "aria-expanded": "false",
      onclick: (event) => toggleErrors(event.currentTarget, job, details) },
    `${formatNumber(job.counts.failed)} ${job.counts.failed === 1 ? "row" : "rows"} refused`)
    : "None";
  return [
    h("tr", { dataset: { importId: job.id, restoreId: job.restoreId ?? "", status: job.status } },
      h("td", { "data-label": "Name" }, job.name,
        h("div", { class: "subtle" }, job.source === "RESTORE" ? "From a restore" : "Uploaded file")),
      h("td", { "data-label": "Status" }, statusBadge(job.status),
        job.failureReason ? h("div", { class: "subtle" }, job.failureReason) : null),
      requestedCell(job, "Started"),
      h("td", { "data-label": "Records" }, counts(job), job.idMapDownloadUrl ? idMapButton(job) : null),
      h("td", { "data-label": "Errors" }, errors)),
    details,
  ];
}

function idMapButton(job) {
  const button = h("button", { type: "button", class: "link-button", "aria-label": `Download the id map of ${job.name}` },
    "Download the id map");
  button.addEventListener("click", async () => {
    try {
      const { idMapDownloadUrl } = (await busy(button, () => gql(ID_MAP, { id: job.id }))).import;
      startDownload(idMapDownloadUrl);
    } catch (error) {
      announce(describe(error), { tone: "error" });
    }
  });
  return h("div", {}, button, h("div", { class: "subtle" }, "Each old id and the new id it got, as CSV"));
}

// `row`: the import's second row, whose one cell holds its error rows.
async function toggleErrors(button, job, row) {
  const cell = row.firstChild;
  const open = button.getAttribute("aria-expanded") !== "true";
  button.setAttribute("aria-expanded", String(open));
  row.hidden = !open;
  if (!open || cell.childElementCount) return;
  try {
    await busy(button, () => showErrorRows(job, cell, null));
  } catch (error) {
    announce(describe(error), { tone: "error" });
  }
}

async function showErrorRows(job, cell, after) {
  const data = (await gql(ERROR_ROWS, { id: job.id, after })).import;
  const page = data.errorRows;
  const body = cell.querySelector("tbody") ?? h("tbody");
  body.append(...page.nodes.map((error) => h("tr", {},
    h("td", { "data-label": "Row", class: "number" }, formatNumber(error.rowNumber)),
    h("td", { "data-label": "Object" }, error.objectType),
    h("td", { "data-label": "Record" }, h("code", {}, error.recordId)),
    h("td", { "data-label": "Reason" }, error.reason))));
  cell.querySelector(".more")?.remove();
  if (!cell.querySelector("table")) {
    cell.append(
      h("table", { class: "responsive" },
        h("caption", { class: "visually-hidden" }, `Rows refused by ${job.name}`),
        h("thead", {}, h("tr", {},
          h("th", { scope: "col", class: "number" }, "Row"),
          h("th", { scope: "col" }, "Object"),
          h("th", { scope: "col" }, "Record"),
          h("th", { scope: "col" }, "Reason"))),
        body),
      data.errorRowsDownloadUrl ? h("a", { href: data.errorRowsDownloadUrl, download: "" }, "Download all refused rows (CSV)") : null);
  }
  if (page.pageInfo.hasNextPage) {
    const more = h("button", { type: "button", class: "secondary more" }, "Show more");
    more.addEventListener("click", () => busy(more, () => showErrorRows(job, cell, page.pageInfo.endCursor)));
    cell.append(more);
  }
}

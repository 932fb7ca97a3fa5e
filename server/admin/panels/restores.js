// The restore history: restores and reverts that were started, with Revert where allowed. A
// restore's notification opens it on the restore's line.

import { emit, on } from "../lib/bus.js";
import { $, announce, h, replace, requestedCell, statusBadge } from "../lib/dom.js";
import { describe } from "../lib/errors.js";
import { formatDateTime, plural, titleCase } from "../lib/format.js";
import * as api from "../lib/restore-api.js";
import { revealRestoreLine } from "../lib/reveal.js";

export function init() {
  on("restores-changed", () => load().catch((error) => announce(describe(error), { tone: "error" })));
  on("open-restore", (restoreId) => revealRestoreLine(load, "#restores-table", "#restores-title", restoreId));
}

export async function load() {
  // Plans that were never started are not history: the panel shows the one still pending.
  // The API gives a restore counts once it is started.
  const [restores, types] = await Promise.all([api.list(), api.loadObjectTypes()]);
  const started = restores.filter((restore) => restore.counts != null);
  const labels = new Map(types.map((type) => [type.name, type]));
  replace($("#restores-table tbody"), started.map((restore) => row(restore, labels.get(restore.objectType))));
  $("#restores-empty").hidden = started.length > 0;
  $("#restores-table").hidden = started.length === 0;
}

export function reset() {
  replace($("#restores-table tbody"));
}

// Under "Restore" or "Revert": the properties it sets, or the file it comes from.
function source(restore, label) {
  if (restore.source !== "FILE") return restore.properties.map(label).join(", ");
  return restore.asNewRecords ? "From a file, as new records" : "From a file";
}

// Records whose values changed, and from a file also those brought back or created, or by its
// revert sent back to the recycle bin or deleted.
function written(counts) {
  return counts.recordsChanged + counts.recordsBroughtBack + counts.recordsRecreated
    + counts.recordsReturnedToBin + counts.recordsRemoved;
}

// `type`: the object type as defined now (a property may have been renamed since, or removed).
function row(restore, type) {
  const revert = restore.kind === "REVERT";
  const label = (name) => type?.properties.find((property) => property.name === name)?.label ?? name;
  return h("tr", { dataset: { restoreId: restore.id, status: restore.status } },
    h("td", { "data-label": "Restore" }, revert ? "Revert" : "Restore",
      h("div", { class: "subtle" }, source(restore, label))),
    h("td", { "data-label": "Object" }, restore.source === "FILE"
      ? restore.fileName
      : type?.pluralLabel ?? titleCase(restore.objectType)),
    h("td", { "data-label": "Status" }, statusBadge(restore.status),
      restore.failureReason ? h("div", { class: "subtle" }, restore.failureReason) : null),
    requestedCell(restore),
    h("td", { "data-label": "Changed" }, restore.counts ? plural(written(restore.counts), "record", "records") : "—"),
    h("td", { class: "row-actions" }, api.revertible(restore)
      ? h("button", { type: "button", class: "secondary", onclick: () => emit("revert-restore", restore),
        "aria-label": `Revert the restore of ${formatDateTime(restore.createdAt)}` }, "Revert")
      : null));
}

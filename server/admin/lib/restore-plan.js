// What a restore (or revert) plan says, as the review step shows it: the counts, each
// property's changes, sample changes by record name (sensitive properties are counted, not
// sampled), the refused rows of a file, and guidance.

import { h } from "./dom.js";
import { formatNumber, when } from "./format.js";

function figure(label, value) {
  return h("div", {}, h("dt", {}, label), h("dd", {}, formatNumber(value)));
}

export function renderPlan(restore) {
  if (restore.source === "FILE") return renderFilePlan(restore);
  const plan = restore.plan;
  const revert = restore.kind === "REVERT";
  return h("div", { class: "plan" },
    h("p", {}, revert
      ? ["Puts back the values the restore overwrote, as they were on ", when(plan.valuesAsOf), "."]
      : ["Sets the chosen properties back to their values in the backup's snapshot of ", when(plan.valuesAsOf), "."]),
    h("dl", { class: "summary" },
      figure("Records to change", plan.recordsToChange),
      figure("Already the same", plan.recordsUnchanged),
      figure(revert ? "Records in the restore" : "Records in the backup", plan.recordsInSource),
      figure("In the recycle bin (left there)", plan.recordsDeleted),
      figure("Deleted for good (not recreated)", plan.recordsPurged),
      revert
        ? figure("Changed since (left alone)", plan.conflicts)
        : figure("Created since (left alone)", plan.recordsCreatedSince)),
    propertiesTable(plan.properties),
    samplesTable(plan.sampleChanges, new Map(plan.properties.map((p) => [p.name, p.label]))),
    plan.guidance.length ? h("ul", { class: "guidance" }, plan.guidance.map((line) => h("li", {}, line))) : null);
}

// A file's plan: per object type it holds, what happens to its records.
function renderFilePlan(restore) {
  const plan = restore.plan;
  const revert = restore.kind === "REVERT";
  const labels = new Map(plan.objects.flatMap((object) => object.properties.map((p) => [p.name, p.label])));
  return h("div", { class: "plan" },
    h("p", {}, fileIntroduction(restore)),
    plan.objects.map((object) => h("section", { class: "plan-object", "aria-label": object.label },
      h("h4", {}, object.label),
      h("dl", { class: "summary" },
        figure("Records in the file", object.recordsInSource),
        restore.asNewRecords
          ? figure("New records to create", object.recordsToRecreate)
          : [figure(revert ? "Records to put back" : "Records to change", object.recordsToChange),
            figure("Already the same", object.recordsUnchanged),
            revert ? null : figure("Out of the recycle bin", object.recordsToBringBack),
            revert ? null : figure("Created again", object.recordsToRecreate)],
        revert ? null : figure("Rows refused", object.recordsRefused)),
      object.refusedRowsDownloadUrl
        ? h("p", {}, h("a", { href: object.refusedRowsDownloadUrl, download: "" },
          `Download the refused ${object.label.toLowerCase()} (CSV, to fix and upload again)`))
        : null,
      propertiesTable(object.properties, restore.asNewRecords ? NEW_RECORD_COLUMNS : CHANGE_COLUMNS))),
    samplesTable(plan.sampleChanges, labels),
    refusedTable(restore.refusedRows?.nodes ?? []),
    plan.guidance.length ? h("ul", { class: "guidance" }, plan.guidance.map((line) => h("li", {}, line))) : null);
}

function fileIntroduction(restore) {
  const plan = restore.plan;
  if (restore.kind === "REVERT") {
    return "Puts back what the restore from this file changed: values, records taken out of the recycle bin, records created again.";
  }
  if (restore.asNewRecords) {
    return "Creates every record in the file as a new record, with a new id and the file's values. None is "
      + "matched to a record you have now, and none of yours changes. Once it is done, the list of each old "
      + "id and its new id can be downloaded from the import's line under Imports.";
  }
  return plan.valuesAsOf
    ? ["Gives the records in the file their values in the file's snapshot of ", when(plan.valuesAsOf), ", for every column of it."]
    : "Gives the records in the file the file's values, for every column of it.";
}

// [heading, label on a phone, the count's field] of each column after the property's.
const CHANGE_COLUMNS = [
  ["Values to change", "To change", "toChange"],
  ["Values to clear", "To clear", "toClear"],
  ["Unchanged", "Unchanged", "unchanged"],
];
// New records: only the values they are given (none is changed or cleared).
const NEW_RECORD_COLUMNS = [["New records with a value", "With a value", "toChange"]];

function propertiesTable(properties, columns = CHANGE_COLUMNS) {
  return h("div", { class: "table-wrap" },
    h("table", { class: "responsive plan-properties" },
      h("caption", { class: "visually-hidden" }, "Changes per property"),
      h("thead", {}, h("tr", {},
        h("th", { scope: "col" }, "Property"),
        columns.map(([heading]) => h("th", { scope: "col", class: "number" }, heading)))),
      h("tbody", {}, properties.map((property) => h("tr", {},
        h("td", { "data-label": "Property" }, property.label,
          property.sensitive ? h("span", { class: "sensitive-tag" }, "sensitive") : null),
        columns.map(([, label, field]) => h("td", { "data-label": label, class: "number" }, formatNumber(property[field]))))))));
}

// A value as the page shows it: withheld when sensitive, "blank" when empty.
export function value(text, redacted) {
  if (redacted) return h("span", { class: "redacted" }, "hidden (sensitive)");
  return text === null ? h("span", { class: "redacted" }, "blank") : text;
}

// A record by the name the server gives it; its id (for support) on hover.
export function recordCell(name, id) {
  return name ? h("span", { title: id }, name) : h("span", { class: "redacted", title: id }, "unnamed record");
}

function samplesTable(samples, labels) {
  if (samples.length === 0) return null;
  return h("details", { class: "samples" },
    h("summary", {}, `Sample changes (${samples.length})`),
    h("div", { class: "table-wrap" },
      h("table", { class: "responsive plan-samples" },
        h("caption", { class: "visually-hidden" }, "Sample changes"),
        h("thead", {}, h("tr", {},
          h("th", { scope: "col" }, "Record"),
          h("th", { scope: "col" }, "Property"),
          h("th", { scope: "col" }, "Now"),
          h("th", { scope: "col" }, "After"))),
        h("tbody", {}, samples.map((sample) => h("tr", {},
          h("td", { "data-label": "Record" }, recordCell(sample.recordName, sample.recordId)),
          h("td", { "data-label": "Property" }, labels.get(sample.property) ?? sample.property),
          h("td", { "data-label": "Now" }, value(sample.currentLabel, sample.redacted)),
          h("td", { "data-label": "After" }, value(sample.restoredLabel, sample.redacted))))))));
}

// The first rows of the file the plan refused, by name, with why (the CSV has them all).
function refusedTable(rows) {
  if (rows.length === 0) return null;
  return h("details", { class: "samples refused-rows" },
    h("summary", {}, `Refused rows (first ${rows.length})`),
    h("div", { class: "table-wrap" },
      h("table", { class: "responsive" },
        h("caption", { class: "visually-hidden" }, "Refused rows"),
        h("thead", {}, h("tr", {},
          h("th", { scope: "col", class: "number" }, "Row"),
          h("th", { scope: "col" }, "Record"),
          h("th", { scope: "col" }, "Why"))),
        h("tbody", {}, rows.map((row) => h("tr", {},
          h("td", { "data-label": "Row", class: "number" }, formatNumber(row.rowNumber)),
          h("td", { "data-label": "Record" }, recordCell(row.recordName, row.recordId)),
          h("td", { "data-label": "Why" }, row.reason)))))));
}

// What a started restore did so far (`restore.counts`).
export function renderCounts(restore) {
  const counts = restore.counts;
  const optional = [
    ["Out of the recycle bin", counts.recordsBroughtBack],
    [restore.asNewRecords ? "Created as new records" : "Created again", counts.recordsRecreated],
    ["Rows refused", counts.recordsRefused],
    ["Back in the recycle bin", counts.recordsReturnedToBin],
    ["Deleted again", counts.recordsRemoved],
  ].filter(([, count]) => count > 0);
  return h("dl", { class: "summary" },
    figure("Records changed", counts.recordsChanged),
    figure("Values set", counts.valuesSet),
    figure("Values cleared", counts.valuesCleared),
    figure("Already the same", counts.recordsUnchanged),
    figure("Skipped (deleted)", counts.recordsSkipped),
    figure("Changed since (left alone)", counts.conflicts),
    optional.map(([label, count]) => figure(label, count)));
}

// What a comparison found, as the compare panel shows it: what passed the alert thresholds,
// then per object the records added, deleted and changed, per property the values changed,
// set and cleared, and sample changes by record name (sensitive properties are counted, never
// sampled).

import { h } from "./dom.js";
import { formatNumber, plural, titleCase, when } from "./format.js";
import { recordCell, value } from "./restore-plan.js";

function figure(label, count) {
  return h("div", {}, h("dt", {}, label), h("dd", {}, formatNumber(count)));
}

// `types`: the account's object types by name (their labels, whether a restore may set them).
// `restore(object)`, when given, offers "Restore these records" on an object whose records
// changed or were removed.
export function renderResult(comparison, { types, restore = null }) {
  const result = comparison.result;
  const changedSomewhere = result.objects.some((object) => object.added + object.deleted + object.purged + object.changed > 0);
  return h("div", { class: "comparison" },
    // The heading names both sides; today's records are as the worker read them.
    comparison.toBackupId ? null : h("p", {}, "Today's records as they were on ", when(result.toSnapshotAt), "."),
    massChanges(result, types),
    changedSomewhere ? null : h("p", { class: "notice", role: "status" }, "Nothing changed between the two."),
    result.objects.map((object) => objectSection(object, types.get(object.objectType), restore)));
}

function pluralLabel(type, name) {
  return type?.pluralLabel ?? titleCase(name);
}

// What raised the alert: an object's removed records, or a property's changed values.
function massChanges(result, types) {
  if (result.massChanges.length === 0) return null;
  const labelOf = (objectType, property) => result.objects.find((object) => object.objectType === objectType)
    ?.properties.find((candidate) => candidate.name === property)?.label ?? property;
  return h("div", { class: "notice warning", role: "status" },
    h("p", {}, "Past the alert thresholds:"),
    h("ul", {}, result.massChanges.map((change) => {
      const type = types.get(change.objectType);
      const object = pluralLabel(type, change.objectType);
      return h("li", {}, change.property === null
        ? `${object}: ${formatNumber(change.count)} of ${plural(change.outOf, "record", "records")} deleted`
        : `${object}, ${labelOf(change.objectType, change.property)}: ${formatNumber(change.count)} of ${plural(change.outOf, "value", "values")} changed`);
    })));
}

function objectSection(object, type, restore) {
  const label = pluralLabel(type, object.objectType);
  const changedProperties = object.properties.filter((property) => property.changed + property.set + property.cleared > 0);
  const toRestore = object.changed + object.deleted + object.purged;
  const restoreButton = restore && type?.restorable && toRestore > 0
    ? h("button", { type: "button", class: "secondary", onclick: () => restore(object, changedProperties) },
      `Restore these ${label.toLowerCase()}`)
    : null;
  return h("section", { class: "plan-object", "aria-label": label, dataset: { objectType: object.objectType } },
    h("h4", {}, label),
    h("dl", { class: "summary" },
      figure("Records before", object.recordsBefore),
      figure("Records after", object.recordsAfter),
      figure("Added", object.added),
      figure("Deleted (in the recycle bin)", object.deleted),
      figure("Deleted for good", object.purged),
      figure("Changed", object.changed),
      figure("Unchanged", object.unchanged)),
    changedProperties.length
      ? propertiesTable(label, changedProperties)
      : h("p", { class: "hint" }, "No property's values changed on the records both sides hold."),
    samplesTable(label, changedProperties),
    restoreButton ? h("div", { class: "actions-row" }, restoreButton,
      h("p", { class: "hint" }, `Reviews a restore from the earlier backup of only the ${plural(toRestore, "record", "records")} changed or deleted here; nothing changes before you confirm it.`))
      : null);
}

function propertiesTable(label, properties) {
  return h("div", { class: "table-wrap" },
    h("table", { class: "responsive comparison-properties" },
      h("caption", { class: "visually-hidden" }, `Changes per property of ${label.toLowerCase()}`),
      h("thead", {}, h("tr", {},
        h("th", { scope: "col" }, "Property"),
        h("th", { scope: "col", class: "number" }, "Values changed"),
        h("th", { scope: "col", class: "number" }, "Values set"),
        h("th", { scope: "col", class: "number" }, "Values cleared"))),
      h("tbody", {}, properties.map((property) => h("tr", {},
        h("td", { "data-label": "Property" }, property.label,
          property.sensitive ? h("span", { class: "sensitive-tag" }, "sensitive") : null),
        h("td", { "data-label": "Changed", class: "number" }, formatNumber(property.changed)),
        h("td", { "data-label": "Set", class: "number" }, formatNumber(property.set)),
        h("td", { "data-label": "Cleared", class: "number" }, formatNumber(property.cleared)))))));
}

function samplesTable(label, properties) {
  const samples = properties.flatMap((property) => property.samples.map((sample) => ({ property, sample })));
  if (samples.length === 0) return null;
  return h("details", { class: "samples" },
    h("summary", {}, `Sample changes of ${label.toLowerCase()} (${samples.length})`),
    h("div", { class: "table-wrap" },
      h("table", { class: "responsive comparison-samples" },
        h("caption", { class: "visually-hidden" }, `Sample changes of ${label.toLowerCase()}`),
        h("thead", {}, h("tr", {},
          h("th", { scope: "col" }, "Record"),
          h("th", { scope: "col" }, "Property"),
          h("th", { scope: "col" }, "Before"),
          h("th", { scope: "col" }, "After"))),
        h("tbody", {}, samples.map(({ property, sample }) => h("tr", {},
          h("td", { "data-label": "Record" }, recordCell(sample.recordName, sample.recordId)),
          h("td", { "data-label": "Property" }, property.label),
          h("td", { "data-label": "Before" }, value(sample.beforeLabel ?? sample.before, false)),
          h("td", { "data-label": "After" }, value(sample.afterLabel ?? sample.after, false))))))));
}

// Alerts on mass changes: on or off, the account's thresholds, and objects with thresholds of
// their own. Read from and saved to the API as a whole; the API says what it refuses, and the
// page shows that next to the field it names.

import { gql } from "../lib/api.js";
import { $, announce, busy, h, replace, showError } from "../lib/dom.js";
import { describe } from "../lib/errors.js";
import { titleCase } from "../lib/format.js";
import { loadObjectTypes } from "../lib/restore-api.js";

const THRESHOLDS = "deletedPercent changedPercent minimumCount";
const SETTINGS_FIELDS = `enabled thresholds { ${THRESHOLDS} } objectTypes { objectType ${THRESHOLDS} }`;
const SETTINGS = `{ massChangeAlertSettings { ${SETTINGS_FIELDS} } }`;
const UPDATE = `mutation($input: MassChangeAlertSettingsInput!) {
  updateMassChangeAlertSettings(input: $input) { ${SETTINGS_FIELDS} } }`;
// Each threshold as the form asks for it.
const FIELDS = [
  { name: "deletedPercent", label: "Records deleted (% of the object's records)", step: "any" },
  { name: "changedPercent", label: "Values changed (% of a property's values)", step: "any" },
  { name: "minimumCount", label: "Never below this many", step: "1" },
];

let types = new Map(); // name -> object type
let settings = null;

export function init() {
  $("#mass-change-form").addEventListener("submit", save);
  $("#mass-change-add").addEventListener("click", addOwnThresholds);
}

export async function load() {
  const [data, objectTypes] = await Promise.all([gql(SETTINGS), loadObjectTypes()]);
  types = new Map(objectTypes.map((type) => [type.name, type]));
  render(data.massChangeAlertSettings);
}

export function reset() {
  settings = null;
  replace($("#mass-change-account"));
  replace($("#mass-change-objects"));
}

function typeLabel(name) {
  return types.get(name)?.pluralLabel ?? titleCase(name);
}

// The inputs of one set of thresholds; `objectType` "" for the account's.
function thresholdInputs(objectType, values) {
  // Ids apart from any object type's name.
  const key = objectType ? `type-${objectType}` : "all";
  return FIELDS.map((field) => {
    const id = `mass-change-${key}-${field.name}`;
    return h("div", { class: "threshold" },
      h("label", { for: id }, field.label),
      h("input", { type: "number", id, name: field.name, step: field.step, inputmode: "decimal",
        value: String(values[field.name]), required: true, dataset: { objectType } }),
      h("p", { class: "error", id: `${id}-error`, role: "alert", hidden: true }));
  });
}

function ownFieldset(own) {
  const label = typeLabel(own.objectType);
  const remove = h("button", { type: "button", class: "link-button", "aria-label": `Remove the thresholds of ${label.toLowerCase()}` }, "Remove");
  const fieldset = h("fieldset", { class: "thresholds", dataset: { objectType: own.objectType } },
    h("legend", {}, label), h("div", { class: "threshold-grid" }, thresholdInputs(own.objectType, own)), remove);
  remove.addEventListener("click", () => {
    fieldset.remove();
    renderAddOptions();
    $("#mass-change-add-type").focus();
  });
  return fieldset;
}

function render(shown) {
  settings = shown;
  $("#mass-change-enabled").checked = shown.enabled;
  replace($("#mass-change-account"), h("legend", {}, "Every object"),
    h("div", { class: "threshold-grid" }, thresholdInputs("", shown.thresholds)));
  replace($("#mass-change-objects"), shown.objectTypes.map(ownFieldset));
  renderAddOptions();
}

// The objects that follow the account's thresholds, to give one its own.
function renderAddOptions() {
  const own = new Set([...$("#mass-change-objects").querySelectorAll("fieldset")].map((each) => each.dataset.objectType));
  const rest = [...types.values()].filter((type) => !own.has(type.name));
  replace($("#mass-change-add-type"), rest.map((type) => h("option", { value: type.name }, type.pluralLabel)));
  $("#mass-change-add").disabled = rest.length === 0;
  $("#mass-change-add-type").disabled = rest.length === 0;
}

// An object's own thresholds start as the account's, as saved.
function addOwnThresholds() {
  const objectType = $("#mass-change-add-type").value;
  if (!objectType) return;
  const fieldset = ownFieldset({ objectType, ...settings.thresholds });
  $("#mass-change-objects").append(fieldset);
  renderAddOptions();
  fieldset.querySelector("input").focus();
}

function clearFieldErrors() {
  for (const input of $("#mass-change-form").querySelectorAll("input[type=number]")) {
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
    showError($(`#${input.id}-error`), null);
  }
  showError($("#mass-change-error"), null);
}

// Next to the input it concerns, if there is one; under the form otherwise.
function showFieldError(input, message) {
  if (!input) {
    showError($("#mass-change-error"), message);
    return;
  }
  input.setAttribute("aria-invalid", "true");
  input.setAttribute("aria-describedby", `${input.id}-error`);
  showError($(`#${input.id}-error`), message);
  input.focus();
}

function inputOf(objectType, field) {
  return [...$("#mass-change-form").querySelectorAll("input[type=number]")]
    .find((input) => input.dataset.objectType === (objectType ?? "") && input.name === field) ?? null;
}

function thresholdsOf(fieldset) {
  return Object.fromEntries(FIELDS.map((field) => [field.name, fieldset.querySelector(`[name=${field.name}]`).valueAsNumber]));
}

async function save(event) {
  event.preventDefault();
  clearFieldErrors();
  const blank = [...$("#mass-change-form").querySelectorAll("input[type=number]")].find((input) => Number.isNaN(input.valueAsNumber));
  if (blank) {
    showFieldError(blank, "Enter a number.");
    return;
  }
  const input = {
    enabled: $("#mass-change-enabled").checked,
    thresholds: thresholdsOf($("#mass-change-account")),
    objectTypes: [...$("#mass-change-objects").querySelectorAll("fieldset")]
      .map((fieldset) => ({ objectType: fieldset.dataset.objectType, ...thresholdsOf(fieldset) })),
  };
  try {
    const data = await busy($("#mass-change-save"), () => gql(UPDATE, { input }));
    render(data.updateMassChangeAlertSettings);
    announce(input.enabled ? "Alert settings saved." : "Alert settings saved: backups raise no alerts.");
  } catch (error) {
    const { field, objectType } = error.extensions ?? {};
    showFieldError(error.code === "VALIDATION_FAILED" && field ? inputOf(objectType, field) : null, describe(error));
  }
}

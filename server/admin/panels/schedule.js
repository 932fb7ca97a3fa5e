// The schedule panel: recurring backups on or off, weekly or every two weeks, and the next run.
// ENTERPRISE only: other tiers see why it is unavailable instead of a form that cannot work.

import { gql } from "../lib/api.js";
import { $, announce, busy, replace, showError } from "../lib/dom.js";
import { describe } from "../lib/errors.js";
import { when } from "../lib/format.js";

const SCHEDULE = `{ backupSchedule { enabled frequency nextRunAt } }`;
const UPDATE = `mutation($enabled: Boolean!, $frequency: BackupFrequency) {
  updateBackupSchedule(enabled: $enabled, frequency: $frequency) { enabled frequency nextRunAt } }`;

export function init() {
  const form = $("#schedule-form");
  form.elements.enabled.addEventListener("change", () => renderFrequency());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError($("#schedule-error"), null);
    const enabled = form.elements.enabled.checked;
    const frequency = form.elements.frequency.value;
    try {
      const data = await busy($("#schedule-save"), () => gql(UPDATE, { enabled, frequency }));
      render(data.updateBackupSchedule);
      announce(enabled ? "Scheduled backups are on." : "Scheduled backups are off.");
    } catch (error) {
      showError($("#schedule-error"), describe(error));
    }
  });
}

export async function load() {
  const form = $("#schedule-form");
  try {
    const data = await gql(SCHEDULE);
    form.hidden = false;
    $("#schedule-unavailable").hidden = true;
    render(data.backupSchedule);
  } catch (error) {
    if (error.code !== "TIER_REQUIRED") throw error;
    form.hidden = true;
    const notice = $("#schedule-unavailable");
    notice.textContent = "Scheduled backups are part of the Enterprise tier. Manual backups stay available.";
    notice.hidden = false;
  }
}

function render(schedule) {
  const form = $("#schedule-form");
  form.elements.enabled.checked = schedule.enabled;
  form.elements.frequency.value = schedule.frequency;
  replace($("#schedule-next"), schedule.enabled
    ? ["Next backup: ", when(schedule.nextRunAt), "."]
    : "Off: backups are made only when you create one.");
  renderFrequency();
}

// The cadence only means something while the switch is on.
function renderFrequency() {
  $("#schedule-frequency").disabled = !$("#schedule-enabled").checked;
}

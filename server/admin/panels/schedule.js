// The schedule panel: recurring backups on or off, weekly or every two weeks, and the next run.
// ENTERPRISE only: other tiers see why it is unavailable instead of a form that cannot work.

import { gql } from "../lib/api.js";
import { on } from "../lib/bus.js";
import { $, announce, busy, replace, showError } from "../lib/dom.js";
import { describe } from "../lib/errors.js";
import { when } from "../lib/format.js";

const SCHEDULE = `{ backupSchedule { enabled frequency nextRunAt includeAssociations } }`;
const UPDATE = `mutation($enabled: Boolean!, $frequency: BackupFrequency, $firstRunAt: DateTime,
    $includeAssociations: Boolean) {
  updateBackupSchedule(enabled: $enabled, frequency: $frequency, firstRunAt: $firstRunAt,
    includeAssociations: $includeAssociations) { enabled frequency nextRunAt includeAssociations } }`;
// After the next run is due, the card asks again: by then the scheduler has moved it on.
const AFTER_RUN_MS = 5000;

let runTimer = null;

export function init() {
  const form = $("#schedule-form");
  form.elements.enabled.addEventListener("change", () => renderFrequency());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError($("#schedule-error"), null);
    const enabled = form.elements.enabled.checked;
    const frequency = form.elements.frequency.value;
    // The input holds local time; the API takes an instant.
    const first = form.elements.firstRunAt.value;
    const firstRunAt = enabled && first ? new Date(first).toISOString() : null;
    const includeAssociations = form.elements.includeAssociations.checked;
    const variables = { enabled, frequency, firstRunAt, includeAssociations };
    try {
      const data = await busy($("#schedule-save"), () => gql(UPDATE, variables));
      render(data.updateBackupSchedule);
      announce(enabled ? "Scheduled backups are on." : "Scheduled backups are off.");
    } catch (error) {
      showError($("#schedule-error"), describe(error));
    }
  });
  // A backup finished, the scheduled run's perhaps: its next run has moved.
  on("backups-changed", () => load().catch(() => {}));
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

export function reset() {
  clearTimeout(runTimer);
}

function render(schedule) {
  const form = $("#schedule-form");
  form.elements.enabled.checked = schedule.enabled;
  form.elements.frequency.value = schedule.frequency;
  form.elements.includeAssociations.checked = schedule.includeAssociations;
  form.elements.firstRunAt.value = "";
  clearTimeout(runTimer);
  // Only a run still to come: an overdue one (the scheduler down) would have it ask in a loop.
  const dueIn = schedule.enabled && schedule.nextRunAt ? new Date(schedule.nextRunAt) - Date.now() : -1;
  if (dueIn > 0) runTimer = setTimeout(() => load().catch(() => {}), Math.min(dueIn + AFTER_RUN_MS, 2 ** 31 - 1));
  replace($("#schedule-next"), schedule.enabled
    ? ["Next backup: ", when(schedule.nextRunAt), "."]
    : "Off: backups are made only when you create one.");
  renderFrequency();
}

// The cadence only means something while the switch is on.
function renderFrequency() {
  const enabled = $("#schedule-enabled").checked;
  $("#schedule-frequency").disabled = !enabled;
  $("#schedule-associations").disabled = !enabled;
  // A first run is chosen in the future.
  $("#schedule-first-run").min = localInputValue(new Date());
}

// A Date as a datetime-local input's value, in local time.
function localInputValue(date) {
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
  return local.toISOString().slice(0, 16);
}

// How long backups are kept: manual and scheduled ones apart, read from the account and set
// with updateBackupRetention, which needs a step-up (a current two-factor code).

import { gql } from "../lib/api.js";
import { emit } from "../lib/bus.js";
import { $, announce, busy, replace, showError } from "../lib/dom.js";
import { describe } from "../lib/errors.js";
import { plural } from "../lib/format.js";
import { stepUp } from "../lib/step-up.js";

const RETENTION = `{ account { backupRetentionDays scheduledBackupRetentionDays } }`;
const UPDATE = `mutation($days: Int!, $scheduledDays: Int) {
  updateBackupRetention(days: $days, scheduledDays: $scheduledDays) {
    backupRetentionDays scheduledBackupRetentionDays } }`;

let confirmation = null;

export function init() {
  $("#retention-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    showError($("#retention-error"), null);
    const days = Number(form.elements.days.value);
    const scheduledDays = Number(form.elements.scheduledDays.value);
    try {
      const data = await busy($("#retention-save"), async () => {
        await confirmation.confirm();
        return gql(UPDATE, { days, scheduledDays });
      });
      render(data.updateBackupRetention);
      announce(`Manual backups are kept ${plural(days, "day", "days")}, scheduled ones ${plural(scheduledDays, "day", "days")}.`);
      // Each backup's expiry moved with it.
      emit("backups-changed");
    } catch (error) {
      if (error.code === "REAUTH_REQUIRED") confirmation.expired();
      showError($("#retention-error"), describe(error));
    }
  });
}

export async function load(me) {
  confirmation = stepUp(me, {
    notEnrolled: "Changing how long backups are kept needs two-factor authentication, and you have not set it up yet.",
  });
  replace($("#retention-step-up"), confirmation.element);
  render((await gql(RETENTION)).account);
}

export function reset() {
  confirmation = null;
  replace($("#retention-step-up"));
}

function render(account) {
  const form = $("#retention-form");
  form.elements.days.value = account.backupRetentionDays;
  form.elements.scheduledDays.value = account.scheduledBackupRetentionDays;
}

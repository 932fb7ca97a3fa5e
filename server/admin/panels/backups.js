// The backups table, "Create backup" with its confirmation and quota, live status, downloads.

import { gql } from "../lib/api.js";
import { emit, on } from "../lib/bus.js";
import { $, announce, busy, h, replace, requestedCell, showError, startDownload, statusBadge } from "../lib/dom.js";
import { describe } from "../lib/errors.js";
import { formatBytes, formatDateTime, formatDuration, formatNumber, titleCase, when } from "../lib/format.js";
import { watchJob } from "../lib/live.js";

const FIELDS = `id status trigger createdAt snapshotAt completedAt expiresAt restorableUntil sizeBytes
  failureReason requestedBy { email } objectCounts { objectType rows }`;
const BACKUPS = `query($after: String) {
  account { manualBackupIntervalSeconds nextManualBackupAt holdsRecords }
  backups(first: 20, after: $after) { nodes { ${FIELDS} } pageInfo { hasNextPage endCursor } } }`;
const CREATE = `mutation($associations: Boolean!) {
  createBackup(confirm: true, includeAssociations: $associations) { id status } }`;
const DOWNLOAD_URL = `query($id: ID!) { backup(id: $id) { downloadUrl } }`;

const STATUS_LABELS = {
  QUEUED: "Queued",
  RUNNING: "Running",
  SUCCEEDED: "Ready",
  FAILED: "Failed",
  EXPIRED: "Expired",
};

let backups = []; // as listed, newest first
let nextPage = null;
let nextManualBackupAt = null;
let quotaTimer = null;
let restorableTimer = null;
const watching = new Map(); // backup id -> stop following its progress

export function init() {
  $("#create-backup").addEventListener("click", openDialog);
  $("#create-backup-cancel").addEventListener("click", () => $("#create-backup-dialog").close());
  $("#create-backup-confirm").addEventListener("click", createBackup);
  $("#download-backup-cancel").addEventListener("click", () => $("#download-backup-dialog").close());
  $("#download-backup-confirm").addEventListener("click", (event) => download(event.currentTarget));
  $("#backups-more").addEventListener("click", (event) => busy(event.currentTarget, () => load({ more: true })));
  // A backup that finished (this page's or a scheduled one): notifications.js says so.
  on("backups-changed", () => load().catch((error) => announce(describe(error), { tone: "error" })));
  // A ready backup's notification: the same download, with what the file holds first.
  on("download-backup", (id) => {
    location.hash = "backups";
    confirmDownload({ id });
  });
}

export async function load({ more = false } = {}) {
  const data = await gql(BACKUPS, { after: more ? nextPage : null });
  const page = data.backups;
  backups = more ? [...backups, ...page.nodes] : page.nodes;
  nextPage = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  $("#quota-period").textContent = formatDuration(data.account.manualBackupIntervalSeconds);
  $("#create-backup-empty").hidden = data.account.holdsRecords;
  nextManualBackupAt = data.account.nextManualBackupAt ? new Date(data.account.nextManualBackupAt) : null;
  render();
  followRunning();
}

export function reset() {
  watching.forEach((stop) => stop());
  watching.clear();
  clearTimeout(quotaTimer);
  clearTimeout(restorableTimer);
  backups = [];
  replace($("#backups-table tbody"));
}

function render() {
  replace($("#backups-table tbody"), backups.map(row));
  $("#backups-empty").hidden = backups.length > 0;
  $("#backups-table").hidden = backups.length === 0;
  $("#backups-more").hidden = nextPage === null;
  renderQuota();
  renderAgainWhenRestoreEnds();
}

// The API says until when each backup can be restored from; the page only compares with now.
function restorable(backup) {
  return backup.restorableUntil !== null && new Date(backup.restorableUntil) > Date.now();
}

// A Restore button goes once its backup's restorableUntil passes, without a reload.
function renderAgainWhenRestoreEnds() {
  clearTimeout(restorableTimer);
  const waits = backups.filter(restorable).map((backup) => new Date(backup.restorableUntil) - Date.now());
  if (waits.length > 0) restorableTimer = setTimeout(render, Math.min(Math.min(...waits) + 1000, 2 ** 31 - 1));
}

// Over the quota, the button waits, saying until when; it comes back by itself at that time.
function renderQuota() {
  clearTimeout(quotaTimer);
  const waitMs = nextManualBackupAt ? nextManualBackupAt - Date.now() : 0;
  const button = $("#create-backup");
  button.disabled = waitMs > 0;
  replace($("#quota-note"), waitMs > 0 ? ["Next manual backup available ", when(nextManualBackupAt), "."] : []);
  if (waitMs > 0) {
    quotaTimer = setTimeout(renderQuota, Math.min(waitMs + 1000, 2 ** 31 - 1));
    button.setAttribute("aria-describedby", "quota-note");
  } else {
    button.removeAttribute("aria-describedby");
  }
}

function row(backup) {
  const total = backup.objectCounts.reduce((sum, count) => sum + count.rows, 0);
  const ready = backup.status === "SUCCEEDED";
  return h("tr", { dataset: { backupId: backup.id, status: backup.status } },
    h("td", { "data-label": "Status" }, statusCell(backup)),
    h("td", { "data-label": "Trigger" }, backup.trigger === "MANUAL" ? "Manual" : "Scheduled"),
    requestedCell(backup),
    h("td", { "data-label": "Snapshot" }, when(backup.snapshotAt)),
    h("td", { "data-label": "Size" }, formatBytes(backup.sizeBytes)),
    h("td", { "data-label": "Rows" }, rowCounts(backup, total)),
    h("td", { "data-label": "Expires" }, when(backup.expiresAt)),
    h("td", { class: "row-actions" },
      ready ? h("button", { type: "button", class: "secondary", onclick: () => confirmDownload(backup),
        "aria-label": `Download the backup of ${formatDateTime(backup.snapshotAt)}` }, "Download") : null,
      ready ? restoreAction(backup) : null));
}

// Restore while the API allows it; afterwards, how to bring the data back while it is kept.
function restoreAction(backup) {
  if (restorable(backup)) {
    return h("button", { type: "button", class: "secondary", onclick: () => emit("restore-from-backup", backup),
      "aria-label": `Restore from the backup of ${formatDateTime(backup.snapshotAt)}` }, "Restore");
  }
  return h("p", { class: "subtle row-note" },
    "Kept until ", when(backup.expiresAt), "; restore it from its file: download it, then use Restore from a file.");
}

function statusCell(backup) {
  return h("div", {},
    statusBadge(backup.status, STATUS_LABELS),
    h("div", { class: "subtle progress-text" }),
    backup.failureReason ? h("div", { class: "subtle" }, backup.failureReason) : null);
}

function rowCounts(backup, total) {
  if (backup.objectCounts.length === 0) return backup.status === "SUCCEEDED" ? "0" : "—";
  return h("details", {},
    h("summary", {}, formatNumber(total)),
    h("ul", { class: "counts" }, backup.objectCounts.map((count) =>
      h("li", {}, `${titleCase(count.objectType)}: ${formatNumber(count.rows)}`))));
}

// A queued or running backup shows its progress as it goes. Its end reloads the list through
// the notification the server sends when a backup finishes ("backups-changed").
function followRunning() {
  const running = new Set(backups.filter((b) => b.status === "QUEUED" || b.status === "RUNNING").map((b) => b.id));
  for (const [id, stop] of watching) {
    if (!running.has(id)) {
      stop();
      watching.delete(id);
    }
  }
  for (const id of running) {
    if (watching.has(id)) continue;
    watching.set(id, watchJob(id, {
      progress: (progress) => showProgress(id, progress),
      finished: () => watching.delete(id),
    }));
  }
}

function showProgress(id, progress) {
  const tableRow = $(`#backups-table tr[data-backup-id="${CSS.escape(id)}"]`);
  if (!tableRow) return;
  tableRow.querySelector(".status").replaceWith(statusBadge(progress.status, STATUS_LABELS));
  const detail = progress.objectType && progress.rowsTotal
    ? `${titleCase(progress.objectType)}: ${formatNumber(progress.rowsDone)} of ${formatNumber(progress.rowsTotal)} rows`
    : "";
  tableRow.querySelector(".progress-text").textContent = detail;
}

function openDialog() {
  showError($("#create-backup-error"), null);
  $("#create-backup-associations").checked = false; // off unless asked for, each time
  $("#create-backup-dialog").showModal();
  $("#create-backup-confirm").focus();
}

async function createBackup(event) {
  try {
    const associations = $("#create-backup-associations").checked;
    await busy(event.currentTarget, () => gql(CREATE, { associations }));
  } catch (error) {
    showError($("#create-backup-error"), describe(error));
    if (error.code === "RATE_LIMITED") load().catch(() => {});
    return;
  }
  $("#create-backup-dialog").close();
  announce("Backup requested. It appears as ready here when it is.");
  await load();
  // The button is likely disabled now (the quota): the table it added a row to takes focus.
  ($("#create-backup").disabled ? $("#backups-title") : $("#create-backup")).focus();
}

let downloading = null; // the backup the download dialog is about

// First what the file holds and how to open it safely, then the file.
function confirmDownload(backup) {
  downloading = backup;
  showError($("#download-backup-error"), null);
  $("#download-backup-dialog").showModal();
  $("#download-backup-confirm").focus();
}

// Links are minted on demand: each is valid for a few minutes only.
async function download(button) {
  try {
    const data = await busy(button, () => gql(DOWNLOAD_URL, { id: downloading.id }));
    startDownload(data.backup.downloadUrl);
    $("#download-backup-dialog").close();
  } catch (error) {
    showError($("#download-backup-error"), describe(error));
    if (error.code === "BACKUP_EXPIRED") load().catch(() => {});
  }
}

// The compare panel: pick two backups, or a backup and the records today; follow the comparison
// live; then what it found, its differences as a CSV, and a restore of exactly the records it
// found changed or deleted. The recent comparisons, those made after each backup included.

import { gql } from "../lib/api.js";
import { emit, on } from "../lib/bus.js";
import { $, announce, busy, h, replace, requestedCell, showError, startDownload, statusBadge } from "../lib/dom.js";
import { describe } from "../lib/errors.js";
import { formatDateTime, formatNumber, plural, when } from "../lib/format.js";
import { watchJob } from "../lib/live.js";
import { renderResult } from "../lib/comparison-view.js";
import { loadObjectTypes } from "../lib/restore-api.js";

// The page lists at most this many backups to pick from (the API's largest page).
const BACKUPS = `{ backups(first: 100) { nodes { id status trigger snapshotAt } } }`;
const SUMMARY = "id status fromBackupId toBackupId afterBackup createdAt completedAt failureReason";
const FULL = `${SUMMARY} result { fromSnapshotAt toSnapshotAt
  objects { objectType recordsBefore recordsAfter added deleted purged changed unchanged
    properties { name label sensitive changed set cleared
      samples { recordId recordName before after beforeLabel afterLabel } } }
  massChanges { objectType property count outOf } }`;
const LIST = `query($after: String) { comparisons(first: 10, after: $after) {
  nodes { ${SUMMARY} result { massChanges { objectType } } } pageInfo { hasNextPage endCursor } } }`;
const COMPARE = `mutation($from: ID!, $to: ID) { compareBackups(fromBackupId: $from, toBackupId: $to) { ${SUMMARY} } }`;
const GET = `query($id: ID!) { comparison(id: $id) { ${FULL} } }`;
const DOWNLOAD_URL = `query($id: ID!) { comparison(id: $id) { differencesDownloadUrl } }`;
const ACTIVE = new Set(["QUEUED", "RUNNING"]);

let backups = new Map(); // id -> backup, newest first
let comparisons = [];
let nextPage = null;
let stopWatching = null;
const watching = new Map(); // comparison id -> stop following it in the list

export function init() {
  $("#compare-from").addEventListener("change", renderLaterOptions);
  $("#compare-form").addEventListener("submit", start);
  $("#comparisons-more").addEventListener("click", (event) => busy(event.currentTarget, () => loadList({ more: true })));
  // A finished backup may be compared, and is compared with the previous one by itself.
  on("backups-changed", () => load().catch((error) => announce(describe(error), { tone: "error" })));
  on("comparisons-changed", () => loadList().catch((error) => announce(describe(error), { tone: "error" })));
  // A mass-change alert leads to its comparison.
  on("open-comparison", (id) => guard(() => open(id)));
}

export async function load() {
  const data = await gql(BACKUPS);
  backups = new Map(data.backups.nodes.filter((backup) => backup.status === "SUCCEEDED").map((backup) => [backup.id, backup]));
  renderBackupOptions();
  await loadList();
}

export function reset() {
  stopWatching?.();
  stopWatching = null;
  comparisons = [];
  watching.forEach((stop) => stop());
  watching.clear();
  replace($("#compare-body"));
  replace($("#comparisons-table tbody"));
}

async function guard(action) {
  try {
    await action();
  } catch (error) {
    announce(describe(error), { tone: "error" });
  }
}

// A backup by its snapshot's time: `time` as in title().
function backupName(backup, time = formatDateTime) {
  return [time(backup.snapshotAt), backup.trigger === "SCHEDULED" ? " (scheduled)" : ""];
}

function renderBackupOptions() {
  const select = $("#compare-from");
  const chosen = select.value;
  const choices = [...backups.values()];
  replace(select, choices.length
    ? choices.map((backup) => h("option", { value: backup.id, selected: backup.id === chosen }, backupName(backup).join("")))
    : h("option", { value: "" }, "No backup to compare yet"));
  select.disabled = choices.length === 0;
  $("#compare-submit").disabled = choices.length === 0;
  // At first, the two newest backups: what changed since the one before.
  if (!chosen && choices.length > 1) select.value = choices[1].id;
  renderLaterOptions();
}

// "Compare with": the records today, or a backup taken after the earlier one.
function renderLaterOptions() {
  const from = backups.get($("#compare-from").value);
  const later = from ? [...backups.values()].filter((backup) => new Date(backup.snapshotAt) > new Date(from.snapshotAt)) : [];
  replace($("#compare-to"),
    h("option", { value: "" }, "The records today"),
    later.map((backup) => h("option", { value: backup.id }, `The backup of ${backupName(backup).join("")}`)));
  if (later.length) $("#compare-to").value = later.at(-1).id; // the next one after it
}

async function start(event) {
  event.preventDefault();
  showError($("#compare-error"), null);
  const from = $("#compare-from").value;
  const to = $("#compare-to").value || null;
  try {
    const data = await busy($("#compare-submit"), () => gql(COMPARE, { from, to }));
    follow(data.compareBackups);
    loadList().catch(() => {});
  } catch (error) {
    showError($("#compare-error"), describe(error));
  }
}

async function open(id) {
  location.hash = "backups";
  const { comparison } = await gql(GET, { id });
  if (ACTIVE.has(comparison.status)) follow(comparison);
  else await show(comparison);
  focusPanel();
}

function focusPanel() {
  $("#compare").scrollIntoView({ block: "start" });
  $("#compare-title").focus({ preventScroll: true });
}

// "The backup of <time> and the records today": local times with their UTC instant on hover
// (`time` = when), or as text for a label (`time` = formatDateTime).
function title(comparison, time = when) {
  const backup = (id, lead) => {
    const known = backups.get(id);
    if (!known) return [lead === "The" ? "An earlier backup" : "a later backup"];
    return [`${lead} backup of `, ...backupName(known, time)];
  };
  const later = comparison.toBackupId ? backup(comparison.toBackupId, "the") : ["the records today"];
  return [...backup(comparison.fromBackupId, "The"), " and ", ...later];
}

// Live progress until the worker is done, then what it found.
function follow(comparison) {
  stopWatching?.();
  const bar = h("progress", { max: "1", "aria-label": "Comparing" });
  const status = h("p", { role: "status" }, "Queued: starting soon…");
  replace($("#compare-body"), h("h3", {}, title(comparison)), bar, status);
  let done = false;
  const finished = () => {
    if (done) return;
    done = true;
    stopWatching?.();
    stopWatching = null;
    guard(async () => {
      const { comparison: ended } = await gql(GET, { id: comparison.id });
      if (ACTIVE.has(ended.status)) follow(ended); // the socket dropped: follow on
      else await show(ended, { announced: true });
      loadList().catch(() => {});
    });
  };
  stopWatching = watchJob(comparison.id, {
    progress: (progress) => {
      if (!ACTIVE.has(progress.status)) finished();
      else if (progress.rowsTotal) {
        bar.max = progress.rowsTotal;
        bar.value = progress.rowsDone ?? 0;
        status.textContent = `${formatNumber(progress.rowsDone)} of ${plural(progress.rowsTotal, "record", "records")} compared`;
      } else if (progress.status === "RUNNING") status.textContent = "Comparing…";
    },
    finished,
  });
}

async function show(comparison, { announced = false } = {}) {
  stopWatching?.();
  stopWatching = null;
  if (comparison.status !== "SUCCEEDED") {
    replace($("#compare-body"), h("h3", {}, title(comparison)),
      h("p", { class: "error", role: "alert" }, comparison.failureReason ?? "The comparison did not finish."));
    if (announced) announce("The comparison failed.", { tone: "error" });
    return;
  }
  const types = new Map((await loadObjectTypes()).map((type) => [type.name, type]));
  // A restore goes back to the earlier backup, which must still be there to restore from.
  const restorable = backups.has(comparison.fromBackupId);
  const download = h("button", { type: "button", class: "secondary" }, "Download every difference (CSV)");
  download.addEventListener("click", () => guard(() => busy(download, async () => {
    const data = await gql(DOWNLOAD_URL, { id: comparison.id });
    startDownload(data.comparison.differencesDownloadUrl);
  })));
  replace($("#compare-body"),
    h("h3", {}, title(comparison)),
    renderResult(comparison, {
      types,
      restore: restorable ? (object, properties) => restoreRecords(comparison, object, properties) : null,
    }),
    h("div", { class: "actions-row" }, download),
    h("p", { class: "hint" }, "The file lists each record that differs, by id, with how it differs and which properties changed."));
  if (announced) announce("Comparison complete.");
}

// Opens the restore panel on the records this comparison found, for one object type: the
// changed properties chosen, as the person may change before the review.
function restoreRecords(comparison, object, properties) {
  emit("restore-from-comparison", {
    comparisonId: comparison.id,
    backupId: comparison.fromBackupId,
    objectType: object.objectType,
    properties: properties.map((property) => property.name),
  });
}

async function loadList({ more = false } = {}) {
  const data = await gql(LIST, { after: more ? nextPage : null });
  const page = data.comparisons;
  comparisons = more ? [...comparisons, ...page.nodes] : page.nodes;
  nextPage = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  replace($("#comparisons-table tbody"), comparisons.map(row));
  $("#comparisons-empty").hidden = comparisons.length > 0;
  $("#comparisons-table").hidden = comparisons.length === 0;
  $("#comparisons-more").hidden = nextPage === null;
  followRunning();
}

// A comparison under way (one made after a backup, say) updates its row when it ends.
function followRunning() {
  for (const comparison of comparisons.filter((each) => ACTIVE.has(each.status) && !watching.has(each.id))) {
    watching.set(comparison.id, watchJob(comparison.id, {
      finished: () => {
        watching.get(comparison.id)?.();
        watching.delete(comparison.id);
        loadList().catch(() => {});
      },
    }));
  }
}

function row(comparison) {
  const alerts = comparison.result?.massChanges.length ?? 0;
  return h("tr", { dataset: { comparisonId: comparison.id, status: comparison.status } },
    h("td", { "data-label": "Compared" }, title(comparison),
      h("div", { class: "subtle" }, comparison.afterBackup ? "After a backup, with the one before" : "Asked for")),
    h("td", { "data-label": "Status" }, statusBadge(comparison.status)),
    requestedCell(comparison),
    // Only a comparison made after a backup is checked against the alert thresholds.
    h("td", { "data-label": "Alerts" }, comparison.afterBackup ? (alerts ? plural(alerts, "mass change", "mass changes") : "None") : "—"),
    h("td", { class: "row-actions" }, h("button", { type: "button", class: "secondary",
      "aria-label": `Show the comparison: ${title(comparison, formatDateTime).join("")}`, onclick: () => guard(() => open(comparison.id)) }, "Show")));
}

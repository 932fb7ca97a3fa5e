// The restore panel: choose an object and its properties, review the plan, acknowledge it,
// confirm it is you, then follow the restore live until it is done, with Revert where allowed.
// The plan and the restore live in the API: after a reload the panel picks up where it was.

import { gql } from "../lib/api.js";
import { emit, on } from "../lib/bus.js";
import { $, announce, busy, h, replace, showError } from "../lib/dom.js";
import { describe } from "../lib/errors.js";
import { formatDateTime, formatNumber, plural, titleCase, when } from "../lib/format.js";
import { watchJob } from "../lib/live.js";
import * as api from "../lib/restore-api.js";
import { renderCounts, renderPlan } from "../lib/restore-plan.js";
import { stepUp } from "../lib/step-up.js";

const STEPS = ["Choose", "Review", "Restore"];
const PLANNING = new Set(["PLAN_QUEUED", "PLANNING"]);
const ACTIVE = new Set(["QUEUED", "RUNNING"]);

let me = null;
let stopWatching = null;

export function init() {
  $("#restore-close").addEventListener("click", close);
  on("restore-from-backup", (backup) => guard(() => choose(backup)));
  on("revert-restore", (restore) => guard(() => reviewRevert(restore.id)));
  on("review-upload", (id) => guard(async () => awaitPlan(await api.get(id))));
  // From a comparison: its earlier backup, limited to the records it found, for one object.
  on("restore-from-comparison", (selected) => guard(async () => {
    location.hash = "backups";
    await choose(await backupOf(selected), selected);
  }));
}

// Picks up the newest restore if it is under way, or a plan being compared or still waiting
// to be started.
export async function load(signedIn) {
  me = signedIn;
  const latest = await api.latest();
  if (latest) resume(latest);
}

// The panel at the step `restore` is at, unless it is over (the history shows it then).
function resume(restore) {
  if (ACTIVE.has(restore.status)) follow(restore, { focus: false });
  else if (PLANNING.has(restore.status)) awaitPlan(restore, { focus: false });
  else if (restore.status === "PLANNED" && new Date(restore.startableUntil) > Date.now()) {
    review(restore, { focus: false });
  }
}

export function reset() {
  close();
  me = null;
}

function close() {
  stopWatching?.();
  stopWatching = null;
  $("#restore").hidden = true;
  replace($("#restore-body"));
}

async function guard(action) {
  try {
    await action();
  } catch (error) {
    announce(describe(error), { tone: "error" });
  }
}

function show(step, source, ...content) {
  $("#restore").hidden = false;
  $("#restore-source").textContent = source;
  replace($("#restore-body"),
    h("ol", { class: "steps", "aria-label": "Steps" }, STEPS.map((name, index) =>
      h("li", { "aria-current": index === step ? "step" : null }, `${index + 1}. ${name}`))),
    ...content);
}

function focusPanel() {
  $("#restore").scrollIntoView({ block: "start" });
  $("#restore-title").focus({ preventScroll: true });
}

// Step 1: which object, which properties. A backup has a file only for objects with records.
async function choose(backup, selected = null) {
  const types = await api.loadObjectTypes();
  // The server says which types cannot be restored at all; a backup holds files of some.
  const comparisonId = selected?.comparisonId ?? null;
  const available = types.filter((type) => type.restorable
    && backup.objectCounts.some((count) => count.objectType === type.name && count.rows > 0)
    && (!comparisonId || type.name === selected.objectType));
  if (available.length === 0) {
    show(0, `Backup of ${formatDateTime(backup.snapshotAt)}`, h("p", { class: "empty" }, "This backup holds no records."));
    focusPanel();
    return;
  }
  const objectSelect = h("select", { id: "restore-object", name: "objectType" },
    available.map((type) => h("option", { value: type.name, selected: type.name === selected?.objectType }, type.pluralLabel)));
  const grid = h("div", { class: "property-grid" });
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const renderProperties = () => {
    const type = available.find((candidate) => candidate.name === objectSelect.value);
    replace(grid, type.properties.map((property) => h("label", { class: "choice" },
      h("input", { type: "checkbox", name: "property", value: property.name,
        checked: selected?.properties.includes(property.name) }),
      h("span", {}, property.label, property.sensitive ? h("span", { class: "sensitive-tag" }, "sensitive") : null))));
  };
  objectSelect.addEventListener("change", () => {
    selected = null;
    renderProperties();
  });
  renderProperties();
  const selectAll = h("button", { type: "button", class: "link-button" }, "Select all");
  selectAll.addEventListener("click", () => grid.querySelectorAll("input").forEach((box) => { box.checked = true; }));
  const submit = h("button", { type: "submit", class: "primary" }, "Review changes");
  const form = h("form", { novalidate: true },
    comparisonId
      ? h("p", { class: "notice" }, "Only the records the comparison found changed or deleted: other records stay as they are.")
      : null,
    h("label", { for: "restore-object" }, "Object"),
    objectSelect,
    h("fieldset", {}, h("legend", {}, "Properties to restore"), grid, selectAll),
    error,
    submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const properties = [...grid.querySelectorAll("input:checked")].map((box) => box.value);
    if (properties.length === 0) {
      showError(error, "Choose at least one property to restore.");
      return;
    }
    try {
      const plan = await busy(submit, () => api.planRestore(backup.id, objectSelect.value, properties, comparisonId));
      awaitPlan(plan, { backup });
    } catch (failure) {
      showError(error, describe(failure));
    }
  });
  show(0, `Backup of ${formatDateTime(backup.snapshotAt)}`, form);
  focusPanel();
}

async function reviewRevert(restoreId) {
  awaitPlan(await api.planRevert(restoreId));
}

// Step 2 while a worker compares the source with today's records, live; then the plan.
function awaitPlan(plan, { backup = null, focus = true } = {}) {
  stopWatching?.();
  const bar = h("progress", { max: "1", "aria-label": "Comparing" });
  const status = h("p", { role: "status" }, "Comparing with today's records…");
  show(1, describeJob(plan), h("h3", {}, "Preparing the review…"), bar, status);
  if (focus) focusPanel();
  let done = false;
  const compared = () => {
    if (done) return;
    done = true;
    stopWatching?.();
    stopWatching = null;
    guard(async () => planEnded(await api.get(plan.id), { backup }));
  };
  stopWatching = watchJob(plan.id, {
    progress: (progress) => {
      // The stream goes on past PLANNED (to the restore, once started): stop there.
      if (!PLANNING.has(progress.status)) compared();
      else if (progress.rowsTotal) {
        bar.max = progress.rowsTotal;
        bar.value = progress.rowsDone ?? 0;
        status.textContent = `${formatNumber(progress.rowsDone)} of ${plural(progress.rowsTotal, "record", "records")} compared`;
      }
    },
    finished: compared,
  });
}

// Records the restore writes: changed, and from a file also brought back and recreated.
function recordsWritten(plan) {
  return plan.recordsToChange + plan.recordsToBringBack + plan.recordsToRecreate;
}

function planEnded(plan, { backup }) {
  if (PLANNING.has(plan.status)) awaitPlan(plan, { backup, focus: false }); // the socket dropped: wait on
  else if (plan.status === "PLANNED") review(plan, { backup, focus: false });
  else {
    const canChoose = plan.kind !== "REVERT" && plan.source !== "FILE";
    const again = h("button", { type: "button", class: "secondary" }, canChoose ? "Change selection" : "Close");
    again.addEventListener("click", () => guard(async () => {
      if (canChoose) await choose(backup ?? await backupOf(plan), plan);
      else close();
    }));
    show(1, describeJob(plan), h("h3", {}, "The review could not be prepared"),
      h("p", { role: "alert", class: "error" }, plan.failureReason ?? "It did not finish."),
      h("div", { class: "actions-row" }, again));
  }
}

// Step 2: the plan, both acknowledgements, the step-up, then start.
function review(plan, { backup = null, focus = true } = {}) {
  const revert = plan.kind === "REVERT";
  const dataChange = h("input", { type: "checkbox", id: "ack-data-change" });
  const irreversible = h("input", { type: "checkbox", id: "ack-irreversible" });
  const written = recordsWritten(plan.plan);
  const nothingToDo = written === 0;
  const submit = h("button", { type: "submit", class: "danger", disabled: true },
    `${revert ? "Revert" : "Restore"} ${plural(written, "record", "records")}`);
  const ready = () => { submit.disabled = !(dataChange.checked && irreversible.checked); };
  dataChange.addEventListener("change", ready);
  irreversible.addEventListener("change", ready);

  const fromFile = plan.source === "FILE";
  const back = h("button", { type: "button", class: "secondary" }, revert || fromFile ? "Cancel" : "Change selection");
  back.addEventListener("click", () => guard(async () => {
    if (revert || fromFile) close();
    else await choose(backup ?? await backupOf(plan), plan);
  }));

  const discard = h("button", { type: "button", class: "link-button" }, "Discard this plan");
  discard.addEventListener("click", () => guard(async () => {
    await busy(discard, () => api.discard(plan.id));
    close();
    announce("Plan discarded.");
  }));

  if (nothingToDo) {
    // Nothing would change: nothing to acknowledge or sign.
    show(1, describeJob(plan), renderPlan(plan),
      h("p", { class: "notice", role: "status" }, revert
        ? "Nothing to revert: the records hold other values now, or the restore changed none."
        : "Nothing to change: the records already hold these values."),
      h("div", { class: "actions-row" }, back, discard));
    if (focus) focusPanel();
    return;
  }
  const confirmation = stepUp(me);
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const form = h("form", { novalidate: true },
    h("h3", {}, revert ? "Before you revert" : "Before you restore"),
    h("label", { class: "check" }, dataChange, h("span", {}, plan.plan.dataChangeNotice)),
    h("label", { class: "check" }, irreversible, h("span", {}, plan.plan.irreversibleNotice)),
    confirmation.element,
    error,
    h("div", { class: "actions-row" }, submit, back, discard));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, null);
    try {
      const started = await busy(submit, async () => {
        await confirmation.confirm();
        return api.start(plan, dataChange.checked, irreversible.checked);
      });
      announce(revert ? "Revert started." : "Restore started.");
      emit("restores-changed");
      follow(started);
    } catch (failure) {
      ready();
      if (failure.code === "REAUTH_REQUIRED") confirmation.expired();
      showError(error, describe(failure));
      if (failure.code === "PLAN_STALE") {
        const again = h("button", { type: "button", class: "secondary" }, "Review again");
        again.addEventListener("click", () => guard(async () => awaitPlan(await replan(plan), { backup })));
        error.append(" ", again);
      }
    }
  });

  show(1, describeJob(plan), renderPlan(plan), form);
  if (focus) focusPanel();
}

// "Restore of Deals: Amount, Deal stage", with the labels the plan carries; "Restore from
// backup.zip" for a file.
function describeJob(restore) {
  if (restore.source === "FILE") {
    return `${restore.kind === "REVERT" ? "Revert of the restore from" : "Restore from"} ${restore.fileName}`;
  }
  // While the plan is compared, the API names the properties; then the plan labels them.
  const labels = (restore.plan?.properties.map((property) => property.label) ?? restore.properties).join(", ");
  const which = restore.comparisonId ? " (only the records a comparison found)" : "";
  return `${restore.kind === "REVERT" ? "Revert" : "Restore"} of ${titleCase(restore.objectType)}${which}: ${labels}`;
}

async function replan(plan) {
  return plan.kind === "REVERT"
    ? api.planRevert(plan.revertsId)
    : api.planRestore(plan.backupId, plan.objectType, plan.properties, plan.comparisonId);
}

async function backupOf(plan) {
  const data = await gql(`query($id: ID!) { backup(id: $id) { id snapshotAt objectCounts { objectType rows } } }`, { id: plan.backupId });
  return data.backup;
}

// Step 3: live progress until the job finishes, then what it changed.
function follow(restore, { focus = true } = {}) {
  stopWatching?.();
  const revert = restore.kind === "REVERT";
  const bar = h("progress", { max: "1", "aria-label": "Progress" });
  const status = h("p", { role: "status" }, "Queued: starting soon…");
  show(2, describeJob(restore), h("h3", {}, revert ? "Reverting…" : "Restoring…"), bar, status);
  if (focus) focusPanel();
  stopWatching = watchJob(restore.id, {
    progress: (progress) => {
      if (progress.rowsTotal) {
        bar.max = progress.rowsTotal;
        bar.value = progress.rowsDone ?? 0;
        status.textContent = `${formatNumber(progress.rowsDone)} of ${plural(progress.rowsTotal, "record", "records")} checked`;
      } else {
        status.textContent = progress.status === "RUNNING" ? "Running…" : "Queued: starting soon…";
      }
    },
    finished: () => {
      stopWatching = null;
      guard(async () => finished(await api.get(restore.id)));
    },
  });
}

function finished(restore) {
  if (ACTIVE.has(restore.status)) {
    follow(restore, { focus: false }); // the socket dropped mid-way: follow on
    return;
  }
  // The lists refresh on the notification of its end (notifications.js). Having just finished,
  // it has no revert yet.
  const revert = restore.kind === "REVERT";
  const succeeded = restore.status === "SUCCEEDED";
  const canRevert = api.revertible(restore);
  const revertButton = canRevert ? h("button", { type: "button", class: "secondary" }, "Revert this restore") : null;
  revertButton?.addEventListener("click", () => guard(() => busy(revertButton, () => reviewRevert(restore.id))));
  show(2, describeJob(restore),
    h("h3", {}, succeeded ? (revert ? "Revert complete" : "Restore complete") : (revert ? "Revert failed" : "Restore failed")),
    h("p", { role: "status" }, succeeded
      ? ["Finished ", when(restore.completedAt), restore.asNewRecords
        ? ". It is listed under Imports, with the list of old and new ids to download."
        : ". It is listed under Imports."]
      : restore.failureReason ?? "It did not finish."),
    restore.counts ? renderCounts(restore) : null,
    canRevert ? h("p", { class: "hint" }, "You can revert it until ", when(restore.revertibleUntil), ".") : null,
    revertButton ? h("div", { class: "actions-row" }, revertButton) : null);
  announce(succeeded ? `${revert ? "Revert" : "Restore"} complete.` : `${revert ? "Revert" : "Restore"} failed.`,
    { tone: succeeded ? "info" : "error" });
}

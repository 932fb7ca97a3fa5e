// Upload of a backup file (a ZIP from this page, or one object's CSV) for a restore from it:
// `POST /imports` stores it and plans the restore; the restore panel reviews it like any other.
// A backup of another account is refused; the page then offers to create its records as new
// ones, which sends the file again with `asNewRecords`.

import { uploadImport } from "../lib/api.js";
import { emit } from "../lib/bus.js";
import { $, announce, busy, h, replace, showError } from "../lib/dom.js";
import { describe } from "../lib/errors.js";
import { formatBytes } from "../lib/format.js";
import { loadObjectTypes } from "../lib/restore-api.js";

export function init() {
  const form = $("#upload-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const [file] = form.elements.file.files;
    const objectType = form.elements.objectType.value;
    if (!file) {
      showError($("#upload-error"), "Choose a file to upload.");
      form.elements.file.focus();
      return;
    }
    if (file.name.toLowerCase().endsWith(".csv") && !objectType) {
      showError($("#upload-error"), "Choose the object whose records the CSV file holds.");
      form.elements.objectType.focus();
      return;
    }
    await upload($("#upload-submit"), file, objectType, false);
  });
  // Another file, another question.
  form.elements.file.addEventListener("change", () => offerAsNew(null));
}

// `asNewRecords`: the person chose to create the file's records as new ones.
async function upload(button, file, objectType, asNewRecords) {
  showError($("#upload-error"), null);
  try {
    const planned = await busy(button, () => sending(file, objectType, asNewRecords));
    $("#upload-form").reset();
    offerAsNew(null);
    announce(`Uploaded “${planned.fileName}”: review what it would ${asNewRecords ? "create" : "change"}.`);
    emit("review-upload", planned.id);
  } catch (error) {
    if (error.code === "BACKUP_OF_ANOTHER_ACCOUNT" && !asNewRecords) offerAsNew(file, objectType);
    else showError($("#upload-error"), describe(error));
  }
}

// Why the file was refused, and the choice to take it anyway, said before anything is sent
// again. `file` null: the offer is withdrawn.
function offerAsNew(file, objectType = "") {
  const offer = $("#upload-as-new");
  offer.hidden = !file;
  if (!file) {
    replace(offer);
    return;
  }
  const title = h("h3", { id: "upload-as-new-title", tabindex: "-1" }, "This backup is of another account");
  const create = h("button", { type: "button", class: "primary" }, "Create its records as new records");
  create.addEventListener("click", () => upload(create, file, objectType, true));
  const cancel = h("button", { type: "button", class: "secondary" }, "Choose another file");
  cancel.addEventListener("click", () => {
    offerAsNew(null);
    $("#upload-form").elements.file.focus();
  });
  replace(offer, title,
    h("p", {}, `“${file.name}” was made of another CRM account. Its records have that account's ids, `
      + "so they cannot be matched to the records here. Nothing was stored."),
    h("p", {}, "You can still bring its data into this account, for example to recover into a new account:"),
    h("ul", {},
      h("li", {}, "Every record in the file is created here as a new record, with a new id."),
      h("li", {}, "None is matched to a record you have now, and none of yours changes. "
        + "Links between the file's records (associations) are left out."),
      h("li", {}, "The list of each old id and the new id it got can be downloaded with the import.")),
    h("p", { class: "hint" }, "You review what it would create first, and confirm it like any restore. "
      + "It can be reverted: that deletes the records it created."),
    h("div", { class: "actions-row" }, create, cancel));
  title.focus();
}

// The upload with its progress shown, and Cancel to stop it.
async function sending(file, objectType, asNewRecords) {
  const cancel = new AbortController();
  const bar = $("#upload-bar");
  const stop = () => cancel.abort();
  $("#upload-cancel").addEventListener("click", stop);
  $("#upload-progress").hidden = false;
  const progress = (sent, total) => {
    bar.max = total || 1;
    bar.value = sent;
    $("#upload-status").textContent = `${formatBytes(sent)} of ${formatBytes(total)} sent`;
  };
  progress(0, file.size);
  try {
    return await uploadImport(file, objectType, { progress, signal: cancel.signal, asNewRecords });
  } finally {
    $("#upload-cancel").removeEventListener("click", stop);
    $("#upload-progress").hidden = true;
  }
}

export async function load() {
  const types = await loadObjectTypes();
  replace($("#upload-object"),
    h("option", { value: "" }, "A ZIP names its own objects"),
    types.filter((type) => type.restorable).map((type) => h("option", { value: type.name }, type.pluralLabel)));
}

export function reset() {
  offerAsNew(null);
}

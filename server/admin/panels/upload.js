// Upload of a backup file (a ZIP from this page, or one object's CSV) for a restore from it:
// `POST /imports` stores it and plans the restore; the restore panel reviews it like any other.

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
    showError($("#upload-error"), null);
    try {
      const planned = await busy($("#upload-submit"), () => sending(file, objectType));
      form.reset();
      announce(`Uploaded “${planned.fileName}”: review what it would change.`);
      emit("review-upload", planned.id);
    } catch (error) {
      showError($("#upload-error"), describe(error));
    }
  });
}

// The upload with its progress shown, and Cancel to stop it.
async function sending(file, objectType) {
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
    return await uploadImport(file, objectType, { progress, signal: cancel.signal });
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

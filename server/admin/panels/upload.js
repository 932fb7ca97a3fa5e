// Upload of a backup file (a ZIP from this page, or one object's CSV) for a restore from it:
// `POST /imports` stores it and plans the restore; the restore panel reviews it like any other.

import { uploadImport } from "../lib/api.js";
import { emit } from "../lib/bus.js";
import { $, announce, busy, h, replace, showError } from "../lib/dom.js";
import { describe } from "../lib/errors.js";
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
      const planned = await busy($("#upload-submit"), () => uploadImport(file, objectType));
      form.reset();
      announce(`Uploaded “${planned.fileName}”: review what it would change.`);
      emit("review-upload", planned.id);
    } catch (error) {
      showError($("#upload-error"), describe(error));
    }
  });
}

export async function load() {
  const types = await loadObjectTypes();
  replace($("#upload-object"),
    h("option", { value: "" }, "A ZIP names its own objects"),
    types.map((type) => h("option", { value: type.name }, type.pluralLabel)));
}

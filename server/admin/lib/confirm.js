// "Are you sure?" before an action on someone else: a modal dialog built for the question.
// Resolves true when the person confirms, false when they cancel or press Escape.

import { h } from "./dom.js";

export function confirmAction({ title, text, action, tone = "danger" }) {
  return new Promise((resolve) => {
    const cancel = h("button", { type: "button", class: "secondary" }, "Cancel");
    const confirm = h("button", { type: "button", class: tone }, action);
    const dialog = h("dialog", { "aria-label": title },
      h("h2", {}, title), h("p", {}, text),
      h("div", { class: "dialog-actions" }, cancel, confirm));
    const close = (answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    cancel.addEventListener("click", () => close(false));
    confirm.addEventListener("click", () => close(true));
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      close(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

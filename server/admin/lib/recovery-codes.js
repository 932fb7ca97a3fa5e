// Recovery codes as they are shown, once: after two-factor is set up, or new ones are made.

import { h } from "./dom.js";

export function recoveryCodesNotice(codes) {
  return h("div", { class: "recovery-codes-notice", role: "status" },
    h("h3", {}, "Your recovery codes"),
    h("p", {}, `Keep these ${codes.length} codes somewhere safe, away from your phone. If you lose `
      + "your authenticator app, each one works once instead of a code from it. They are shown "
      + "only now."),
    h("ul", { class: "recovery-codes", "aria-label": "Recovery codes" },
      codes.map((code) => h("li", {}, code))));
}

// "1 recovery code left", "3 recovery codes left".
export function codesLeft(count) {
  return `${count} recovery ${count === 1 ? "code" : "codes"} left`;
}

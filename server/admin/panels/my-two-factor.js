// The signed-in user's own two-factor authentication: on or off, how many recovery codes are
// left, and new ones after confirming it is them (the old ones stop working).

import { gql } from "../lib/api.js";
import { on } from "../lib/bus.js";
import { $, announce, busy, h, replace, showError } from "../lib/dom.js";
import { describe } from "../lib/errors.js";
import { codesLeft, recoveryCodesNotice } from "../lib/recovery-codes.js";
import { stepUp } from "../lib/step-up.js";

const STATE = `{ me { authMethod totpEnrolled recoveryCodesRemaining } }`;
const REGENERATE = `mutation { regenerateRecoveryCodes { codes } }`;
const OFF = "Two-factor authentication is off. Set it up: restores need it, and it keeps your "
  + "account safe if your password leaks.";

// From asking for new codes until the page is reloaded: a change announced elsewhere (a
// recovery code used for this very request) must not redraw the new codes away.
let holding = false;

export function init() {
  on("two-factor-changed", async () => {
    try {
      const state = (await gql(STATE)).me;
      if (!holding) render(state);
    } catch (error) {
      announce(describe(error), { tone: "error" });
    }
  });
}

export async function load() {
  holding = false;
  render((await gql(STATE)).me);
}

export function reset() {
  holding = false;
  replace($("#my-two-factor-body"));
}

function render(state) {
  const body = $("#my-two-factor-body");
  const showCodes = (codes) => {
    holding = true;
    replace(body, status({ ...state, recoveryCodesRemaining: codes.length }), recoveryCodesNotice(codes));
  };
  if (!state.totpEnrolled) {
    replace(body, stepUp(state, { notEnrolled: OFF, onEnrolled: showCodes }).element);
    return;
  }
  const confirmation = stepUp(state);
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const regenerate = h("button", { type: "button", class: "secondary" }, "Make new recovery codes");
  regenerate.addEventListener("click", async () => {
    showError(error, null);
    holding = true;
    try {
      const { codes } = await busy(regenerate, async () => {
        await confirmation.confirm();
        return (await gql(REGENERATE)).regenerateRecoveryCodes;
      });
      showCodes(codes);
      announce("New recovery codes made: the old ones no longer work.");
    } catch (failure) {
      holding = false;
      if (failure.code === "REAUTH_REQUIRED") confirmation.expired();
      showError(error, describe(failure));
    }
  });
  replace(body, status(state),
    h("p", { class: "hint" }, "New recovery codes replace the old ones. Confirm it is you first."),
    confirmation.element, regenerate, error);
}

function status(state) {
  return h("p", { id: "recovery-codes-left" },
    `Two-factor authentication is on: ${codesLeft(state.recoveryCodesRemaining)}.`);
}

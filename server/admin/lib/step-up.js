// "Confirm it is you" before a restore: a current code from the authenticator app, unless the
// session came from single sign-on or confirmed one a moment ago. Setting up two-factor is
// offered right here when the user has not yet, since restores cannot run without it.

import { gql } from "./api.js";
import { busy, h, replace, showError } from "./dom.js";
import { ApiError, describe } from "./errors.js";
import { formatDateTime } from "./format.js";
import * as session from "./session.js";

const REAUTHENTICATE = `mutation($code: String!) { reauthenticate(code: $code) { reauthenticatedUntil } }`;
const START_ENROLLMENT = `mutation { startTotpEnrollment { secret qrCodeSvgDataUri } }`;
const CONFIRM_ENROLLMENT = `mutation($code: String!) { confirmTotpEnrollment(code: $code) }`;
// A step-up about to lapse is not worth relying on: the restore could be refused.
const MARGIN_MS = 30_000;

const codeInput = (id) => h("input", { type: "text", id, class: "code", inputmode: "numeric",
  autocomplete: "one-time-code", pattern: "[0-9]{6}", maxlength: "6", required: true });

// The step-up part of a confirmation form: `element` to show, `confirm()` before starting.
export function stepUp(me) {
  const element = h("div", { class: "step-up" });

  function render() {
    const until = session.steppedUpUntil();
    if (me.authMethod === "SSO") {
      replace(element, h("p", { class: "hint" }, "Signed in with single sign-on: no two-factor code is needed."));
    } else if (until && until - Date.now() > MARGIN_MS) {
      replace(element, h("p", { class: "hint" }, `You confirmed it is you; no code is needed until ${formatDateTime(until)}.`));
    } else if (!me.totpEnrolled) {
      renderEnrollment();
    } else {
      replace(element,
        h("label", { for: "step-up-code" }, "Two-factor code"),
        h("p", { class: "hint", id: "step-up-hint" }, "The 6-digit code your authenticator app shows now."),
        codeInput("step-up-code"));
      element.querySelector("input").setAttribute("aria-describedby", "step-up-hint");
    }
  }

  function renderEnrollment() {
    const error = h("p", { class: "error", role: "alert", hidden: true });
    const begin = h("button", { type: "button", class: "secondary" }, "Set up two-factor authentication");
    begin.addEventListener("click", async () => {
      try {
        const data = await busy(begin, () => gql(START_ENROLLMENT));
        showEnrollment(data.startTotpEnrollment);
      } catch (failure) {
        showError(error, describe(failure));
      }
    });
    replace(element,
      h("p", {}, "Restores need two-factor authentication, and you have not set it up yet."),
      begin, error);
  }

  function showEnrollment(enrollment) {
    const error = h("p", { class: "error", role: "alert", hidden: true });
    const input = codeInput("enrollment-code");
    const turnOn = h("button", { type: "button", class: "secondary" }, "Turn on two-factor");
    turnOn.addEventListener("click", async () => {
      try {
        await busy(turnOn, () => gql(CONFIRM_ENROLLMENT, { code: input.value.trim() }));
        me.totpEnrolled = true;
        render();
        replace(element, h("p", { class: "hint", role: "status" }, "Two-factor is on. Enter the next code your app shows."), ...element.childNodes);
        element.querySelector("input")?.focus();
      } catch (failure) {
        showError(error, describe(failure));
      }
    });
    replace(element,
      h("p", {}, "Scan this code with your authenticator app, or type the key below into it."),
      h("img", { src: enrollment.qrCodeSvgDataUri, alt: "QR code of the two-factor key" }),
      h("p", {}, "Key: ", h("code", {}, enrollment.secret)),
      h("label", { for: "enrollment-code" }, "Code from the app"),
      input, turnOn, error);
    input.focus();
  }

  async function confirm() {
    if (me.authMethod === "SSO") return;
    if (!me.totpEnrolled) throw new ApiError("TOTP_NOT_ENROLLED", "");
    const input = element.querySelector("#step-up-code");
    if (!input) return; // confirmed a moment ago: no code is asked for
    const code = input.value.trim();
    if (!/^[0-9]{6}$/.test(code)) {
      input.focus();
      throw new ApiError("VALIDATION_FAILED", "Enter the 6-digit code from your authenticator app.");
    }
    try {
      const data = await gql(REAUTHENTICATE, { code });
      session.rememberStepUp(data.reauthenticate.reauthenticatedUntil);
    } catch (error) {
      input.select(); // a wrong or used code: the server's message says which
      throw error;
    }
  }

  // The server wants a code after all (the step-up lapsed): ask for one.
  function expired() {
    session.forgetStepUp();
    render();
  }

  render();
  return { element, confirm, expired };
}

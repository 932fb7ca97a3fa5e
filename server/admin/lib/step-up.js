// "Confirm it is you" before a restore or new recovery codes: a current code from the
// authenticator app or a recovery code, unless the session came from single sign-on or
// confirmed one a moment ago. Setting up two-factor is offered right here when the user has not
// yet, since restores cannot run without it.

import { gql } from "./api.js";
import { emit } from "./bus.js";
import { announce, busy, h, replace, showError } from "./dom.js";
import { ApiError, describe } from "./errors.js";
import { when } from "./format.js";
import { codesLeft, recoveryCodesNotice } from "./recovery-codes.js";
import * as session from "./session.js";

const REAUTHENTICATE = `mutation($code: String!) {
  reauthenticate(code: $code) { reauthenticatedUntil recoveryCodesRemaining } }`;
const START_ENROLLMENT = `mutation { startTotpEnrollment { secret qrCodeSvgDataUri } }`;
const CONFIRM_ENROLLMENT = `mutation($code: String!) { confirmTotpEnrollment(code: $code) { codes } }`;
// A step-up about to lapse is not worth relying on: the restore could be refused.
const MARGIN_MS = 30_000;
const AUTHENTICATOR_CODE = /^[0-9]{6}$/;
// As the server reads one: ten letters or digits, the dash and spaces aside.
const RECOVERY_CODE = /^[a-z0-9]{10}$/i;

const codeInput = (id) => h("input", { type: "text", id, class: "code", inputmode: "numeric",
  autocomplete: "one-time-code", pattern: "[0-9]{6}", maxlength: "6", required: true });
const stepUpInput = (id) => h("input", { type: "text", id, class: "code", autocomplete: "one-time-code",
  autocapitalize: "off", spellcheck: "false", maxlength: "16", required: true });

function looksLikeACode(code) {
  return AUTHENTICATOR_CODE.test(code) || RECOVERY_CODE.test(code.replace(/[\s-]/g, ""));
}

let instances = 0;
const NOT_ENROLLED = "Restores need two-factor authentication, and you have not set it up yet.";

// The step-up part of a confirmation form: `element` to show, `confirm()` before starting.
// `notEnrolled` says why to set two-factor up, to a user who has not; `onEnrolled(codes)`, if
// given, shows the recovery codes instead of this form.
export function stepUp(me, { notEnrolled = NOT_ENROLLED, onEnrolled = null } = {}) {
  const element = h("div", { class: "step-up" });
  // Several forms may ask at once (a restore, new recovery codes): ids of their own.
  instances += 1;
  const ids = { code: `step-up-code-${instances}`, hint: `step-up-hint-${instances}`,
    enrollment: `enrollment-code-${instances}` };

  function render() {
    const until = session.steppedUpUntil();
    if (me.authMethod === "SSO") {
      replace(element, h("p", { class: "hint" }, "Signed in with single sign-on: no two-factor code is needed."));
    } else if (until && until - Date.now() > MARGIN_MS) {
      replace(element, h("p", { class: "hint" }, "You confirmed it is you; no code is needed until ", when(until), "."));
    } else if (!me.totpEnrolled) {
      renderEnrollment();
    } else {
      replace(element,
        h("label", { for: ids.code }, "Two-factor code or recovery code"),
        h("p", { class: "hint", id: ids.hint },
          "The 6-digit code your authenticator app shows now, or one of your recovery codes."),
        stepUpInput(ids.code));
      element.querySelector("input").setAttribute("aria-describedby", ids.hint);
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
      h("p", {}, notEnrolled),
      begin, error);
  }

  function showEnrollment(enrollment) {
    const error = h("p", { class: "error", role: "alert", hidden: true });
    const input = codeInput(ids.enrollment);
    const turnOn = h("button", { type: "button", class: "secondary" }, "Turn on two-factor");
    turnOn.addEventListener("click", async () => {
      try {
        const data = await busy(turnOn, () => gql(CONFIRM_ENROLLMENT, { code: input.value.trim() }));
        me.totpEnrolled = true;
        const { codes } = data.confirmTotpEnrollment;
        if (onEnrolled) {
          onEnrolled(codes);
          return;
        }
        emit("two-factor-changed");
        render();
        replace(element, recoveryCodesNotice(codes),
          h("p", { class: "hint", role: "status" }, "Two-factor is on. Enter the next code your app shows."),
          ...element.childNodes);
        element.querySelector("input")?.focus();
      } catch (failure) {
        showError(error, describe(failure));
      }
    });
    replace(element,
      h("p", {}, "Scan this code with your authenticator app, or type the key below into it."),
      h("img", { src: enrollment.qrCodeSvgDataUri, alt: "QR code of the two-factor key" }),
      h("p", {}, "Key: ", h("code", {}, enrollment.secret)),
      h("label", { for: ids.enrollment }, "Code from the app"),
      input, turnOn, error);
    input.focus();
  }

  async function confirm() {
    if (me.authMethod === "SSO") return;
    if (!me.totpEnrolled) throw new ApiError("TOTP_NOT_ENROLLED", "");
    const input = element.querySelector(`#${ids.code}`);
    if (!input) return; // confirmed a moment ago: no code is asked for
    const code = input.value.trim();
    if (!looksLikeACode(code)) {
      input.focus();
      throw new ApiError("VALIDATION_FAILED",
        "Enter the 6-digit code from your authenticator app, or one of your recovery codes.");
    }
    try {
      const { reauthenticate } = await gql(REAUTHENTICATE, { code });
      session.rememberStepUp(reauthenticate.reauthenticatedUntil);
      if (reauthenticate.recoveryCodesRemaining !== null) {
        announce(`Recovery code accepted: ${codesLeft(reauthenticate.recoveryCodesRemaining)}.`);
        emit("two-factor-changed");
      }
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

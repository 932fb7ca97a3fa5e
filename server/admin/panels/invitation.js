// Accepting an invitation: the link a super admin sends opens this page with
// #invitation=<token>. The new user chooses a password here and is signed in. The token leaves
// the address at once, and a fragment is never sent to a server, so no log holds it.

import { gql } from "../lib/api.js";
import { $, busy, showError } from "../lib/dom.js";
import { describe } from "../lib/errors.js";
import * as session from "../lib/session.js";

const ACCEPT = `mutation($token: String!, $password: String!) {
  acceptInvitation(token: $token, password: $password) { token } }`;

let invitation = null;

// True when the page was opened with an invitation link; the form is then shown.
export function fromLink() {
  const token = new URLSearchParams(location.hash.slice(1)).get("invitation");
  if (!token) return false;
  history.replaceState(null, "", location.pathname + location.search);
  invitation = token;
  $("#invitation").hidden = false;
  $("#invitation-password").focus();
  return true;
}

export function init(onSignedIn) {
  const form = $("#invitation-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { password, repeat } = form.elements;
    const problem = !password.value ? "Choose a password." : password.value !== repeat.value ? "The two passwords differ." : null;
    showError($("#invitation-error"), problem);
    if (problem) {
      (password.value ? repeat : password).focus();
      return;
    }
    try {
      const data = await busy(form.querySelector("button[type=submit]"),
        () => gql(ACCEPT, { token: invitation, password: password.value }));
      form.reset();
      invitation = null;
      $("#invitation").hidden = true;
      session.signIn(data.acceptInvitation.token);
      onSignedIn();
    } catch (error) {
      showError($("#invitation-error"), error.code === "UNAUTHENTICATED"
        ? "This invitation link has been used, has expired or is unknown. Ask for a new one."
        : describe(error));
    }
  });
}

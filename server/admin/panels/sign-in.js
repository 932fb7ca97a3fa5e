// Signing in: email and password, or an OpenID Connect ID token handed back to this page in
// the URL fragment (#id_token=...) by the identity provider. Both return a bearer token.

import { gql } from "../lib/api.js";
import { $, busy, showError } from "../lib/dom.js";
import { describe } from "../lib/errors.js";
import * as session from "../lib/session.js";

const LOGIN = `mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) { token } }`;
const LOGIN_WITH_SSO = `mutation($idToken: String!) { loginWithSso(idToken: $idToken) { token } }`;

export function init(onSignedIn) {
  const form = $("#sign-in-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const email = form.elements.email.value.trim();
    const password = form.elements.password.value;
    if (!email || !password) {
      showError($("#sign-in-error"), "Enter your email and password.");
      (email ? form.elements.password : form.elements.email).focus();
      return;
    }
    showError($("#sign-in-error"), null);
    try {
      const data = await busy(form.querySelector("button[type=submit]"), () => gql(LOGIN, { email, password }));
      form.reset();
      session.signIn(data.login.token);
      onSignedIn();
    } catch (error) {
      showError($("#sign-in-error"), error.code === "UNAUTHENTICATED" ? "Wrong email or password." : describe(error));
      form.elements.password.select();
    }
  });
}

// Signs in with the ID token in the URL fragment, if the identity provider left one there.
export async function fromIdentityProvider() {
  const idToken = new URLSearchParams(location.hash.slice(1)).get("id_token");
  if (!idToken) return false;
  // The token must not stay in the address bar, the history or a bookmark.
  history.replaceState(null, "", location.pathname + location.search);
  try {
    const data = await gql(LOGIN_WITH_SSO, { idToken });
    session.signIn(data.loginWithSso.token);
    return true;
  } catch (error) {
    show(error);
    return false;
  }
}

// The form, with why the session ended if it did not end by signing out.
export function show(reason = null) {
  $("#sign-in").hidden = false;
  showError($("#sign-in-error"), reason ? describe(reason) : null);
  $("#sign-in-email").focus();
}

export function hide() {
  $("#sign-in").hidden = true;
}

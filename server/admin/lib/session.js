// The signed-in session as this tab knows it: the bearer token, and until when the server
// accepts a restore without a new two-factor code. sessionStorage keeps both across a
// reload but not beyond the tab, and never sends them anywhere by itself (unlike a cookie).

const TOKEN_KEY = "crm-backup.token";
const STEP_UP_KEY = "crm-backup.reauthenticatedUntil";

const listeners = new Set();

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function signIn(newToken) {
  sessionStorage.setItem(TOKEN_KEY, newToken);
  sessionStorage.removeItem(STEP_UP_KEY);
}

// Forgets the session; `reason` is shown on the sign-in form (null for a plain sign-out).
export function signOut(reason = null) {
  const hadToken = token() !== null;
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(STEP_UP_KEY);
  if (hadToken) listeners.forEach((listener) => listener(reason));
}

export function onSignOut(listener) {
  listeners.add(listener);
}

export function steppedUpUntil() {
  const until = sessionStorage.getItem(STEP_UP_KEY);
  return until ? new Date(until) : null;
}

export function rememberStepUp(until) {
  sessionStorage.setItem(STEP_UP_KEY, until);
}

export function forgetStepUp() {
  sessionStorage.removeItem(STEP_UP_KEY);
}

// Live updates: the page's one websocket, and what it listens to on it.

import { ApiError } from "./errors.js";
import { LiveConnection } from "./graphql-ws.js";
import * as session from "./session.js";

const url = new URL("/graphql", location.origin);
url.protocol = location.protocol === "https:" ? "wss:" : "ws:";

const statusListeners = new Set();
const reconnectListeners = new Set();

export const connection = new LiveConnection({
  url: url.href,
  connectionParams: () => ({ Authorization: `Bearer ${session.token()}` }),
  onStatus: (status) => statusListeners.forEach((listener) => listener(status)),
  // 4401: the session has ended. 4403: the token was refused or the user's role changed; a
  // reload asks the API who is signed in now and shows what that role may do.
  onRefused: (code) => (code === 4401 ? session.signOut(new ApiError("UNAUTHENTICATED", "")) : location.reload()),
  onReconnected: () => reconnectListeners.forEach((listener) => listener()),
});

export function onStatus(listener) {
  statusListeners.add(listener);
}

export function onReconnected(listener) {
  reconnectListeners.add(listener);
}

const JOB_PROGRESS = `subscription($id: ID!) {
  jobProgress(id: $id) { jobId status objectType rowsDone rowsTotal } }`;

// Follows a backup, restore or import: its state now, then each change, until it finishes.
// Returns a function that stops following it.
export function watchJob(id, { progress, finished }) {
  return connection.subscribe(JOB_PROGRESS, { id }, {
    next: (data) => progress?.(data.jobProgress),
    error: () => finished?.(),
    complete: () => finished?.(),
  });
}

const NOTIFICATIONS = `subscription {
  notifications { id kind title body subjectId createdAt readAt } }`;

export function watchNotifications(next) {
  return connection.subscribe(NOTIFICATIONS, {}, { next: (data) => next(data.notifications) });
}

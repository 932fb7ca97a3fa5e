// The GraphQL API over HTTP: one POST per operation, with the session's bearer token.

import { ApiError, fromGraphQLError } from "./errors.js";
import * as session from "./session.js";

const GRAPHQL_URL = new URL("/graphql", location.origin);

async function post(url, init) {
  try {
    return await fetch(url, init);
  } catch {
    throw new ApiError("NETWORK", "The server cannot be reached.");
  }
}

function authorization() {
  const token = session.token();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

// An ended session is everyone's concern: it sends the page back to the sign-in form.
function raise(error) {
  if (error.code === "UNAUTHENTICATED" && session.token()) session.signOut(error);
  throw error;
}

// The operation's data; throws an ApiError for the first error (its `extensions.code`).
export async function gql(query, variables = {}) {
  const response = await post(GRAPHQL_URL, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...authorization() },
    body: JSON.stringify({ query, variables }),
  });
  let body;
  try {
    body = await response.json();
  } catch {
    raise(new ApiError("INTERNAL_SERVER_ERROR", `HTTP ${response.status}`));
  }
  const [first] = body.errors ?? [];
  if (first) raise(fromGraphQLError(first));
  return body.data;
}

// `POST /imports` is plain multipart, not GraphQL: it answers {id, name, status} or
// {code, message}. XMLHttpRequest, not fetch, for the upload's progress: `progress(sent, total)`
// as the bytes go; `signal` aborts it (throws an ApiError of code CANCELLED). `asNewRecords`:
// every row becomes a new record (another account's backup is then accepted).
export function uploadImport(file, objectType, { progress = () => {}, signal = null, asNewRecords = false } = {}) {
  const form = new FormData();
  if (objectType) form.append("objectType", objectType);
  if (asNewRecords) form.append("asNewRecords", "true");
  form.append("file", file);
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", new URL("/imports", location.origin));
    Object.entries(authorization()).forEach(([name, value]) => request.setRequestHeader(name, value));
    request.responseType = "json";
    request.upload.addEventListener("progress", (event) => progress(event.loaded, event.total));
    request.addEventListener("error", () => reject(new ApiError("NETWORK", "The server cannot be reached.")));
    request.addEventListener("abort", () => reject(new ApiError("CANCELLED", "The upload was cancelled.")));
    request.addEventListener("load", () => {
      const body = request.response ?? {}; // null for a proxy's error page: reported by status
      if (request.status >= 200 && request.status < 300) {
        resolve(body);
        return;
      }
      const tooLarge = request.status === 413;
      const code = body.code ?? (tooLarge ? "VALIDATION_FAILED" : "INTERNAL_SERVER_ERROR");
      const message = body.message ?? (tooLarge ? "The file is too large." : "");
      try {
        raise(new ApiError(code, message));
      } catch (error) {
        reject(error);
      }
    });
    signal?.addEventListener("abort", () => request.abort());
    request.send(form);
  });
}

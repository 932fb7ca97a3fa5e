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
// {code, message}.
export async function uploadImport(file, objectType) {
  const form = new FormData();
  if (objectType) form.append("objectType", objectType);
  form.append("file", file);
  const response = await post(new URL("/imports", location.origin), {
    method: "POST",
    headers: authorization(),
    body: form,
  });
  let body = {};
  try {
    body = await response.json();
  } catch {
    // A proxy's error page, say: reported by status below.
  }
  if (!response.ok) {
    const code = body.code ?? (response.status === 413 ? "VALIDATION_FAILED" : "INTERNAL_SERVER_ERROR");
    const message = body.message ?? (response.status === 413 ? "The file is too large." : "");
    raise(new ApiError(code, message));
  }
  return body;
}

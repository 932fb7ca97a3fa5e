// Errors as people read them. The API says what went wrong with `extensions.code`; the page
// turns each code into a sentence, keeping the server's own message where it is the detail.

import { formatDateTime } from "./format.js";

export class ApiError extends Error {
  constructor(code, message, extensions = {}) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.extensions = extensions;
  }
}

// One error of a GraphQL response (HTTP or websocket), named by its `extensions.code`.
export function fromGraphQLError(error) {
  const extensions = error?.extensions ?? {};
  return new ApiError(extensions.code ?? "INTERNAL_SERVER_ERROR", error?.message ?? "", extensions);
}

const retry = (error, lead) => {
  const at = error.extensions?.retryAt;
  return at ? `${lead} Try again after ${formatDateTime(at)}.` : `${lead} Try again later.`;
};

const MESSAGES = {
  UNAUTHENTICATED: () => "Your session has ended. Please sign in again.",
  FORBIDDEN: () => "Your role does not allow this. Backup and restore need a super admin.",
  NOT_FOUND: () => "It no longer exists, or it is not in your account.",
  VALIDATION_FAILED: (error) => error.message || "Some of what you entered is not valid.",
  RATE_LIMITED: (error) => retry(error, "You have used this quota."),
  TOTP_LOCKED: (error) => retry(error, "Too many wrong two-factor codes."),
  TIER_REQUIRED: () => "Your account's tier does not include this feature.",
  BACKUP_EXPIRED: (error) => (error.extensions?.keptUntil
    ? `This backup can no longer be restored here. It is kept until ${formatDateTime(error.extensions.keptUntil)}: restore it from its file.`
    : "This backup has expired: it is past its retention period."),
  REAUTH_REQUIRED: () => "Confirm it is you: enter a current code from your authenticator app.",
  TOTP_NOT_ENROLLED: () => "Set up two-factor authentication first: restores need it.",
  RESTORE_IN_PROGRESS: () => "Another restore is running. Wait for it to finish.",
  NOT_RESTORABLE: (error) => error.message || "This cannot be restored.",
  PLAN_STALE: () => "This plan is out of date: review the changes again.",
  SSO_NOT_CONFIGURED: () => "Single sign-on is not set up on this server.",
  USER_DISABLED: () => "A super admin has disabled your access to this account. Ask one of them to enable it again.",
  GRAPHQL_VALIDATION_FAILED: () => "The page sent a request the server refused. Reload the page.",
  INTERNAL_SERVER_ERROR: () => "Something went wrong on the server. Try again in a moment.",
  NETWORK: () => "The server cannot be reached. Check your connection and try again.",
  CANCELLED: () => "The upload was cancelled: nothing was stored.",
};

export function describe(error) {
  if (error instanceof ApiError) {
    const message = MESSAGES[error.code];
    return message ? message(error) : error.message || `Error ${error.code}.`;
  }
  console.error(error);
  return "Something went wrong in this page. Reload it and try again.";
}

// How dates, sizes and counts read on the page, in the browser's language. One time
// convention: the reader's local time with its zone; the UTC instant on hover (`when`).

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit", timeZoneName: "short",
});
const number = new Intl.NumberFormat();

function toDate(value) {
  const date = value instanceof Date ? value : new Date(value);
  return value && !Number.isNaN(date.getTime()) ? date : null;
}

export function formatDateTime(value) {
  const date = toDate(value);
  return date ? dateTime.format(date) : "—";
}

// A <time> in local time with its zone, its UTC instant as the hover title.
export function when(value) {
  const date = toDate(value);
  if (!date) return "—";
  const utc = `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const element = document.createElement("time");
  element.dateTime = date.toISOString();
  element.title = utc;
  element.textContent = dateTime.format(date);
  return element;
}

// "1 deal", "2 deals": the count, formatted, and the word that agrees with it.
export function plural(count, one, many) {
  return `${formatNumber(count)} ${count === 1 ? one : many}`;
}

// A span of seconds as people say it: "24 hours", "7 days".
export function formatDuration(seconds) {
  const days = seconds / 86400;
  if (Number.isInteger(days) && days > 1) return `${days} days`;
  return plural(Math.round(seconds / 3600), "hour", "hours");
}

export function formatNumber(value) {
  return value === null || value === undefined ? "—" : number.format(value);
}

const UNITS = ["bytes", "KB", "MB", "GB", "TB"];

export function formatBytes(value) {
  if (value === null || value === undefined) return "—";
  let size = Number(value);
  let unit = 0;
  while (size >= 1000 && unit < UNITS.length - 1) {
    size /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${size} bytes` : `${size.toFixed(size < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

// "Contacts", "Deals": the API names object types in lower case.
export function titleCase(name) {
  return name ? name.charAt(0).toUpperCase() + name.slice(1).replaceAll("_", " ") : "";
}

// The roles, highest first, as the page names them.
export const ROLES = ["SUPER_ADMIN", "ADMIN", "MEMBER"];
const ROLE_NAMES = { SUPER_ADMIN: "Super admin", ADMIN: "Admin", MEMBER: "Member" };

export function formatRole(role) {
  return ROLE_NAMES[role] ?? role;
}

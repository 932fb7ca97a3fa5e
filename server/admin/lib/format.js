// How dates, sizes and counts read on the page, in the browser's language.

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const number = new Intl.NumberFormat();

export function formatDateTime(value) {
  if (!value) return "—";
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? "—" : dateTime.format(date);
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

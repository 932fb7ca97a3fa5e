// The restore operations of the API: plan, start, follow, revert.

import { gql } from "./api.js";

const COUNTS = `counts { recordsChanged valuesSet valuesCleared recordsUnchanged recordsSkipped conflicts
  recordsBroughtBack recordsRecreated recordsRefused recordsReturnedToBin recordsRemoved }`;
const PROPERTIES = "properties { name label sensitive toChange toClear unchanged }";
const PLAN = `plan { valuesAsOf plannedAt recordsInSource recordsToChange recordsUnchanged recordsDeleted
  recordsPurged recordsCreatedSince conflicts recordsToBringBack recordsToRecreate recordsRefused
  ${PROPERTIES}
  objects { objectType label recordsInSource recordsToChange recordsUnchanged recordsToBringBack
    recordsToRecreate recordsRefused refusedRowsDownloadUrl ${PROPERTIES} }
  sampleChanges { recordId recordName objectType property currentValue restoredValue currentLabel restoredLabel redacted }
  guidance dataChangeNotice irreversibleNotice }`;
const RESTORE_FIELDS = `id kind source status backupId fileName asNewRecords revertsId comparisonId objectType properties createdAt
  startedAt completedAt failureReason revertibleUntil startableUntil requestedBy { email } ${COUNTS}`;
const REFUSED = "refusedRows(first: 20) { nodes { objectType rowNumber recordId recordName reason } }";
const FULL = `${RESTORE_FIELDS} ${PLAN} ${REFUSED}`;

// `comparisonId`: only the records that comparison found changed or deleted (null: every one).
export async function planRestore(backupId, objectType, properties, comparisonId = null) {
  const data = await gql(`mutation($backupId: ID!, $objectType: String!, $properties: [String!]!, $comparisonId: ID) {
    planRestore(backupId: $backupId, objectType: $objectType, properties: $properties,
      comparisonId: $comparisonId) { ${FULL} } }`,
  { backupId, objectType, properties, comparisonId });
  return data.planRestore;
}

export async function planRevert(restoreId) {
  const data = await gql(`mutation($restoreId: ID!) { planRevert(restoreId: $restoreId) { ${FULL} } }`,
    { restoreId });
  return data.planRevert;
}

// Starts a PLANNED restore or revert; both acknowledgements are the person's, from the form.
export async function start(plan, acknowledgeDataChange, acknowledgeIrreversible) {
  const field = plan.kind === "REVERT" ? "revertRestore" : "startRestore";
  const data = await gql(`mutation($planId: ID!, $data: Boolean!, $irreversible: Boolean!) {
    ${field}(planId: $planId, acknowledgeDataChange: $data, acknowledgeIrreversible: $irreversible) { ${FULL} } }`,
  { planId: plan.id, data: acknowledgeDataChange, irreversible: acknowledgeIrreversible });
  return data[field];
}

// Puts aside a plan that was not started: it is no longer picked up.
export async function discard(id) {
  await gql(`mutation($id: ID!) { discardRestorePlan(planId: $id) { id status } }`, { id });
}

export async function get(id) {
  return (await gql(`query($id: ID!) { restore(id: $id) { ${FULL} } }`, { id })).restore;
}

// The newest restore or revert, plan included (the panel picks it up where it was), or null.
export async function latest() {
  const data = await gql(`{ restores(first: 1) { nodes { ${FULL} } } }`);
  return data.restores.nodes[0] ?? null;
}

// The history: the newest restores and reverts, without their plans.
export async function list(first = 50) {
  return (await gql(`query($first: Int!) { restores(first: $first) { nodes { ${RESTORE_FIELDS} } } }`, { first })).restores.nodes;
}

const OBJECT_TYPES = `{ objectTypes { name singularLabel pluralLabel restorable
  properties { name label type sensitive } } }`;
let objectTypes = null;

// The account's object types and their properties; they rarely change, so asked once per page.
export async function loadObjectTypes() {
  objectTypes ??= gql(OBJECT_TYPES).then((data) => data.objectTypes).catch((error) => {
    objectTypes = null;
    throw error;
  });
  return objectTypes;
}

// The server says until when a restore can be reverted (null: it cannot be); the page only
// hides the button once that time has passed while it was open.
export function revertible(restore) {
  return restore.revertibleUntil != null && new Date(restore.revertibleUntil) > Date.now();
}

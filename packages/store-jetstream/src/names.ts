import { createHash } from "node:crypto";

/**
 * Where things live in JetStream. Each axon is a stream of its own (`OA_AX_<axon id>`, subject
 * `oa.ev.<axon id>`), one message per commit; axon metadata, idempotency keys, small records and
 * runtime leases are KV buckets. Names take a prefix so several deployments can share a cluster.
 */
export interface Names {
  readonly streamPrefix: string;
  readonly subjectPrefix: string;
  readonly axonsBucket: string;
  readonly idempotencyBucket: string;
  readonly recordsBucket: string;
  readonly leasesBucket: string;
}

export function namesFor(prefix = "OA"): Names {
  if (!/^[A-Za-z0-9_-]+$/.test(prefix)) throw new Error(`invalid JetStream name prefix "${prefix}"`);
  return {
    streamPrefix: `${prefix}_AX_`,
    subjectPrefix: `${prefix.toLowerCase()}.ev`,
    axonsBucket: `${prefix}_axons`,
    idempotencyBucket: `${prefix}_idempotency`,
    recordsBucket: `${prefix}_records`,
    leasesBucket: `${prefix}_leases`,
  };
}

/** Axon ids are `axn_` plus base32-ish text; anything else cannot name a subject token. */
export function isSubjectSafeId(id: string): boolean {
  return /^[A-Za-z0-9_-]{1,128}$/.test(id);
}

export const axonSubject = (names: Names, axonId: string): string => `${names.subjectPrefix}.${axonId}`;

export const axonStream = (names: Names, axonId: string): string => `${names.streamPrefix}${axonId}`;

/** KV keys allow `[-/_=.a-zA-Z0-9]`; arbitrary client text is hashed (idempotency keys) or base64url'd. */
export const idempotencyKvKey = (axonId: string, key: string): string =>
  `${axonId}.${createHash("sha256").update(key, "utf8").digest("base64url")}`;

export const recordKvKey = (kind: string, id: string): string =>
  `${Buffer.from(kind, "utf8").toString("base64url") || "_"}.${Buffer.from(id, "utf8").toString("base64url") || "_"}`;

export const recordKindFilter = (kind: string): string =>
  `${Buffer.from(kind, "utf8").toString("base64url") || "_"}.>`;

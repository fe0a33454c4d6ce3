import { isId } from "@openaxon/core";
import { invalidArgument } from "./errors.js";

/**
 * Malformed ids are INVALID_ARGUMENT (a client bug: wrong value in the wrong field), well-formed ids
 * of axons that do not exist are NOT_FOUND. Every RPC taking an axon id follows this rule.
 */
export function requireAxonId(id: string, field = "axon_id"): string {
  if (id === "") throw invalidArgument(`${field} is required (axon ids look like axn_…)`);
  if (!isId("axn", id)) {
    const shown = id.length > 64 ? `${id.slice(0, 64)}…` : id;
    throw invalidArgument(`${field} ${JSON.stringify(shown)} is not an axon id (axon ids look like axn_…)`);
  }
  return id;
}

/** uint64 on the wire, a plain number in the store: sequences never exceed 2^53 - 1. */
export function toSequence(value: bigint, field: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw invalidArgument(`${field} ${value} is out of range (at most ${Number.MAX_SAFE_INTEGER})`);
  }
  return Number(value);
}

/** 0 means "use the default"; larger than max is clamped to max (AIP-158 style), never an error. */
export function clampPageSize(requested: number, defaultSize: number, maxSize: number): number {
  if (requested === 0) return defaultSize;
  return Math.min(requested, maxSize);
}

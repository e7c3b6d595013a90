// Content-derived ids: the same scenario (after validation and defaults) gives the same id, so
// GET URLs and permalinks are cacheable and shares are deduplicated. Web Crypto only.
import { toBase64Url } from "./codec.js";

/** JSON with object keys sorted at every level: one text per value, whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/** A result id for a scenario under one nfplay version: 21 characters of [A-Za-z0-9_-], like nanoid. */
export async function contentId(scenario: unknown, version: string): Promise<string> {
  return toBase64Url(await sha256(`nfplay ${version}\n${canonicalJson(scenario)}`)).slice(0, 21);
}

/** A permalink id: the scenario alone (stable across releases), 12 characters of [A-Za-z0-9_-]. */
export async function shareId(scenario: unknown): Promise<string> {
  return toBase64Url(await sha256(`nfplay share\n${canonicalJson(scenario)}`)).slice(0, 12);
}

export const SHARE_ID = /^[A-Za-z0-9_-]{12}$/;

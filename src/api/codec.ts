// Scenarios in URLs, as Kroki encodes diagrams: UTF-8 JSON, zlib "deflate", base64url without
// padding. Web APIs only (CompressionStream), so the API worker, the CLI and a browser share it.
// Decoding is bounded: at most `limit` bytes are ever inflated, whatever the input claims.
import { readAtMost } from "./body.js";

export function toBase64Url(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Bytes of a base64url (or base64) string, or null when it is not one. */
export function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_\-+/]*={0,2}$/.test(text) || text.replace(/=+$/, "").length % 4 === 1) return null;
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  try {
    const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

type Compression = "deflate" | "deflate-raw" | "gzip";

function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array | "too-large"> {
  return (await readAtMost(stream, limit)) ?? "too-large";
}

export async function deflate(bytes: Uint8Array, format: Compression = "deflate"): Promise<Uint8Array> {
  const stream = streamOf(bytes).pipeThrough(new CompressionStream(format));
  return (await collect(stream, Number.MAX_SAFE_INTEGER)) as Uint8Array;
}

/** Inflated bytes, "too-large" past `limit`, or null when the data is not deflate output. */
export async function inflate(bytes: Uint8Array, format: Compression, limit: number): Promise<Uint8Array | "too-large" | null> {
  try {
    const stream = streamOf(bytes).pipeThrough(new DecompressionStream(format));
    return await collect(stream, limit);
  } catch {
    return null;
  }
}

export async function encodeScenario(scenario: unknown): Promise<string> {
  return toBase64Url(await deflate(new TextEncoder().encode(JSON.stringify(scenario))));
}

export type Decoded = { ok: true; bytes: Uint8Array } | { ok: false; reason: "too-large" | "not-base64url" | "not-deflate" };

/** Kroki's zlib "deflate" first; raw deflate too, as some encoders omit the zlib header. */
export async function decodeScenarioParam(param: string, limit: number): Promise<Decoded> {
  const packed = fromBase64Url(param);
  if (packed === null) return { ok: false, reason: "not-base64url" };
  for (const format of ["deflate", "deflate-raw"] as const) {
    const out = await inflate(packed, format, limit);
    if (out === "too-large") return { ok: false, reason: "too-large" };
    if (out !== null) return { ok: true, bytes: out };
  }
  return { ok: false, reason: "not-deflate" };
}

export type Unpacked = { ok: true; bytes: Uint8Array } | { ok: false; reason: "too-large" | "corrupt" | "unsupported"; encoding: string };

/**
 * A request body as sent with `Content-Encoding` (RFC 9110 8.4): gzip and deflate are undone,
 * at most `limit` bytes inflated (a small bomb cannot expand past the body limit); identity or
 * no header leaves the bytes as they are. Several codings are undone last-applied first.
 */
export async function decodeContentEncoding(bytes: Uint8Array, header: string | null, limit: number): Promise<Unpacked> {
  const codings = (header ?? "").split(",").map((c) => c.trim().toLowerCase()).filter((c) => c !== "" && c !== "identity");
  let out = bytes;
  for (const coding of codings.reverse()) {
    const format = coding === "gzip" || coding === "x-gzip" ? "gzip" : coding === "deflate" ? "deflate" : null;
    if (format === null) return { ok: false, reason: "unsupported", encoding: coding };
    const inflated = await inflate(out, format, limit);
    if (inflated === null) return { ok: false, reason: "corrupt", encoding: coding };
    if (inflated === "too-large") return { ok: false, reason: "too-large", encoding: coding };
    out = inflated;
  }
  return { ok: true, bytes: out };
}

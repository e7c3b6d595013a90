// Request bodies sent with Content-Encoding: undone with a bound, refused clearly otherwise.
import { deflateSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { decodeContentEncoding } from "./codec.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe("decodeContentEncoding", () => {
  it("passes bytes through without a header or with identity", async () => {
    const bytes = new TextEncoder().encode("{}");
    for (const header of [null, "", "identity"]) {
      const out = await decodeContentEncoding(bytes, header, 100);
      expect(out.ok && text(out.bytes)).toBe("{}");
    }
  });

  it("undoes gzip, x-gzip and deflate (and several codings, last applied first)", async () => {
    expect(await decodeContentEncoding(gzipSync('{"a":1}'), "gzip", 100)).toMatchObject({ ok: true });
    const x = await decodeContentEncoding(gzipSync('{"a":1}'), "X-Gzip", 100);
    expect(x.ok && text(x.bytes)).toBe('{"a":1}');
    const d = await decodeContentEncoding(deflateSync('{"a":1}'), "deflate", 100);
    expect(d.ok && text(d.bytes)).toBe('{"a":1}');
    const both = await decodeContentEncoding(gzipSync(deflateSync('{"a":1}')), "deflate, gzip", 100);
    expect(both.ok && text(both.bytes)).toBe('{"a":1}');
  });

  it("stops inflating at the limit (a small gzip bomb is too large, not a memory spike)", async () => {
    const bomb = gzipSync(Buffer.alloc(10_000_000));
    expect(bomb.byteLength).toBeLessThan(20_000);
    expect(await decodeContentEncoding(bomb, "gzip", 131072)).toEqual({ ok: false, reason: "too-large", encoding: "gzip" });
  });

  it("says which coding is corrupt or unsupported", async () => {
    expect(await decodeContentEncoding(new TextEncoder().encode("{}"), "gzip", 100)).toEqual({ ok: false, reason: "corrupt", encoding: "gzip" });
    expect(await decodeContentEncoding(gzipSync("{}").subarray(0, 12), "gzip", 100)).toMatchObject({ ok: false, reason: "corrupt" });
    expect(await decodeContentEncoding(new TextEncoder().encode("{}"), "br", 100)).toEqual({ ok: false, reason: "unsupported", encoding: "br" });
  });
});

import { deflateSync, inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { canonicalJson, contentId, shareId } from "./canonical.ts";
import { decodeScenarioParam, encodeScenario, fromBase64Url, toBase64Url } from "./codec.ts";

describe("Kroki-style scenario encoding", () => {
  it("is zlib deflate + base64url, readable by zlib", async () => {
    const text = await encodeScenario({ flows: [{ from: "external", to: "host:8543" }] });
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(JSON.parse(inflateSync(fromBase64Url(text)!).toString())).toEqual({ flows: [{ from: "external", to: "host:8543" }] });
  });
  it("decodes what zlib (Kroki's encoders) writes", async () => {
    const param = toBase64Url(deflateSync(Buffer.from('{"a":1}')));
    const out = await decodeScenarioParam(param, 100);
    expect(out.ok && new TextDecoder().decode(out.bytes)).toBe('{"a":1}');
  });
  it("stops inflating at the limit (a zip bomb is refused, not expanded)", async () => {
    const bomb = toBase64Url(deflateSync(Buffer.alloc(10_000_000, 32)));
    expect(bomb.length).toBeLessThan(20_000);
    expect(await decodeScenarioParam(bomb, 131072)).toEqual({ ok: false, reason: "too-large" });
  });
  it("says what is wrong with a bad parameter", async () => {
    expect(await decodeScenarioParam("not base64!", 100)).toEqual({ ok: false, reason: "not-base64url" });
    expect(await decodeScenarioParam("aGVsbG8", 100)).toEqual({ ok: false, reason: "not-deflate" });
  });
});

describe("content ids", () => {
  it("ignore key order, depend on the version, and look like nanoids", async () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
    const a = await contentId({ x: 1, y: 2 }, "0.1.0");
    expect(a).toMatch(/^[A-Za-z0-9_-]{21}$/);
    expect(await contentId({ y: 2, x: 1 }, "0.1.0")).toBe(a);
    expect(await contentId({ x: 1, y: 2 }, "0.2.0")).not.toBe(a);
    expect(await shareId({ x: 1 })).toMatch(/^[A-Za-z0-9_-]{12}$/);
  });
});

import { z } from "zod";
import { describe, expect, it } from "vitest";
import { issuesToErrors, parseJsonBytes, toPointer, validationProblem } from "./problem.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("toPointer", () => {
  it("joins segments as an RFC 6901 pointer", () => {
    expect(toPointer(["containers", 0, "ports", 1])).toBe("/containers/0/ports/1");
  });
  it("escapes ~ before / so the result decodes unambiguously", () => {
    expect(toPointer(["a/b", "c~d", "~1"])).toBe("/a~1b/c~0d/~01");
  });
  it("is empty for the whole document", () => {
    expect(toPointer([])).toBe("");
  });
});

describe("issuesToErrors", () => {
  it("reports an unknown key at the key itself", () => {
    const schema = z.strictObject({ a: z.strictObject({ b: z.number() }) });
    const result = schema.safeParse({ a: { b: 1, c: 2, d: 3 } });
    expect(result.success).toBe(false);
    expect(issuesToErrors(result.error!.issues).map((e) => e.pointer)).toEqual(["/a/c", "/a/d"]);
  });
});

describe("validationProblem", () => {
  it("is a 400 problem listing every issue", () => {
    const result = z.object({ a: z.string(), b: z.array(z.number()) }).safeParse({ a: 1, b: [1, "x"] });
    const p = validationProblem(result.error!);
    expect(p).toMatchObject({ status: 400, type: "https://nfplay.dev/problems/invalid-scenario", detail: "2 fields are invalid" });
    expect(p.errors.map((e) => e.pointer)).toEqual(["/a", "/b/1"]);
  });
});

describe("parseJsonBytes", () => {
  it("parses UTF-8 JSON, dropping a byte order mark", () => {
    expect(parseJsonBytes(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('{"a":1}')]))).toEqual({ ok: true, value: { a: 1 } });
  });
  it("rejects invalid JSON with a 400", () => {
    const r = parseJsonBytes(bytes("{"));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem.status).toBe(400);
  });
  it("rejects invalid UTF-8 instead of replacing it", () => {
    const r = parseJsonBytes(new Uint8Array([0x22, 0xff, 0x22]));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem.detail).toMatch(/UTF-8/);
  });
});

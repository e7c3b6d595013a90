// Regressions found by exercising the live API as a demanding user would: compressed and
// empty bodies, /diff and /check errors that point at what the client sent, oEmbed sizes,
// conditional GETs.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import seed from "../../examples/seed.json";

const BASE = "http://nfplay.test";
const get = (path: string, headers: Record<string, string> = {}) => exports.default.fetch(`${BASE}${path}`, { headers });
const post = (path: string, body: BodyInit, headers: Record<string, string> = { "content-type": "application/json" }) =>
  exports.default.fetch(`${BASE}${path}`, { method: "POST", body, headers });

async function expectProblem(res: Response, status: number): Promise<Record<string, any>> {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  return (await res.json()) as Record<string, any>;
}

async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

describe("request bodies", () => {
  it("reads a gzip Content-Encoding body (it used to be 'not valid UTF-8')", async () => {
    const res = await post("/simulate?format=summary", await gzip(JSON.stringify(seed)), { "content-type": "application/json", "content-encoding": "gzip" });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("internet to web (tcp): delivered to web 172.17.0.2:8888; connects");
  });

  it("answers 415 to an encoding it cannot undo, 400 to a corrupt one, 413 to a bomb", async () => {
    const json = JSON.stringify(seed);
    expect((await expectProblem(await post("/simulate", json, { "content-type": "application/json", "content-encoding": "br" }), 415)).detail).toContain('"br"');
    expect((await expectProblem(await post("/simulate", json, { "content-type": "application/json", "content-encoding": "gzip" }), 400)).type).toMatch(/invalid-content-encoding$/);
    const bomb = await gzip(" ".repeat(2_000_000));
    expect((await expectProblem(await post("/simulate", bomb, { "content-type": "application/json", "content-encoding": "gzip" }), 413)).detail).toContain("once decompressed");
  });

  it("says an empty or blank body is empty, for JSON and text alike", async () => {
    for (const [body, type] of [["", "application/json"], ["  \n", "application/json"], ["\n", "text/plain"]]) {
      const p = await expectProblem(await post("/simulate", body!, { "content-type": type! }), 400);
      expect(p.type).toMatch(/empty-body$/);
    }
  });
});

describe("POST /diff errors", () => {
  it("names the missing or short field instead of a bare 'Invalid input' at the root", async () => {
    const short = await expectProblem(await post("/diff", JSON.stringify({ scenario: seed, versions: ["20.10"] })), 400);
    expect(short.errors.map((e: any) => e.pointer)).toEqual(["/versions"]);
    const missing = await expectProblem(await post("/diff", JSON.stringify({ a: seed })), 400);
    expect(missing.errors).toEqual([{ pointer: "/b", message: expect.stringContaining("is required") }]);
    const array = await expectProblem(await post("/diff", "[]"), 400);
    expect(array.errors[0].message).toContain('{"a": SCENARIO, "b": SCENARIO}');
  });

  it("points an impossible scenario at its side (/b/...), not at the bare scenario path", async () => {
    const b = { networks: [{ name: "x", subnet: "10.0.0.0/8", gateway: "11.0.0.1" }] };
    const p = await expectProblem(await post("/diff", JSON.stringify({ a: seed, b })), 422);
    expect(p.errors.map((e: any) => e.pointer)).toEqual(["/b/networks/0/gateway"]);
    expect(p.detail).toMatch(/^\/b\/networks\/0\/gateway: /);
    const pa = await expectProblem(await post("/diff", JSON.stringify({ a: b, b: seed })), 422);
    expect(pa.errors.map((e: any) => e.pointer)).toEqual(["/a/networks/0/gateway"]);
  });

  it("points an unsupported release at the /versions item that named it", async () => {
    const p = await expectProblem(await post("/diff", JSON.stringify({ scenario: seed, versions: ["20.10", "19.03"] })), 422);
    expect(p.errors.map((e: any) => e.pointer)).toEqual(["/versions/1"]);
    const p0 = await expectProblem(await post("/diff", JSON.stringify({ scenario: seed, versions: ["19.03", "27"] })), 422);
    expect(p0.errors.map((e: any) => e.pointer)).toEqual(["/versions/0"]);
  });

  it("rejects a ?format= it does not render", async () => {
    const p = await expectProblem(await post("/diff?format=svg", JSON.stringify({ a: seed, b: seed })), 400);
    expect(p.errors[0]).toMatchObject({ parameter: "format" });
  });
});

describe("POST /check errors", () => {
  it("blames ?docker-version= (not /docker/version of the body) for an unsupported release", async () => {
    const p = await expectProblem(await post("/check?docker-version=19.03", JSON.stringify(seed)), 422);
    expect(p.errors).toEqual([expect.objectContaining({ pointer: "", parameter: "docker-version" })]);
    expect(p.detail).toMatch(/^query parameter "docker-version": Docker 19.03/);
  });

  it("rejects a ?format= other than json or text", async () => {
    const p = await expectProblem(await post("/check?format=svg", JSON.stringify(seed)), 400);
    expect(p.errors[0]).toMatchObject({ parameter: "format" });
  });
});

describe("embeds", () => {
  it("ignores a zero, negative or junk oEmbed maxwidth/maxheight (it used to answer width -5)", async () => {
    const share = (await (await post("/share", JSON.stringify(seed))).json()) as { id: string; url: string };
    const o = (await (await get(`/oembed?url=${encodeURIComponent(share.url)}&maxwidth=-5&maxheight=abc`)).json()) as Record<string, any>;
    expect(o).toMatchObject({ width: 800, height: 600 });
    expect(o.html).toContain('width="800" height="600"');
    const small = (await (await get(`/oembed?url=${encodeURIComponent(share.url)}&maxwidth=320.7&maxheight=0`)).json()) as Record<string, any>;
    expect(small).toMatchObject({ width: 320, height: 600 });
  });

  it("answers 304 to If-None-Match: * and to the embed page's own ETag", async () => {
    const share = (await (await post("/share", JSON.stringify(seed))).json()) as { id: string };
    expect((await get(`/s/${share.id}?format=svg`, { "if-none-match": "*" })).status).toBe(304);
    const page = await get(`/embed/${share.id}`);
    const etag = page.headers.get("etag")!;
    expect(etag).toMatch(/\.embed\.auto"$/);
    const again = await get(`/embed/${share.id}`, { "if-none-match": etag });
    expect(again.status).toBe(304);
    expect(again.headers.get("etag")).toBe(etag);
  });
});

describe("/openapi.json", () => {
  it("describes what the POST routes really accept and answer", async () => {
    const doc = (await (await get("/openapi.json")).json()) as Record<string, any>;
    for (const path of ["/simulate", "/share", "/check", "/diff"]) {
      const op = doc.paths[path].post;
      expect(Object.keys(op.responses), path).toEqual(expect.arrayContaining(["400", "413", "415"]));
      expect(op.parameters.map((p: any) => p.name), path).toContain("content-encoding");
    }
    for (const path of ["/simulate", "/share", "/check"]) expect(Object.keys(doc.paths[path].post.requestBody.content), path).toEqual(["application/json", "text/plain"]);
    for (const path of ["/check", "/diff"]) expect(doc.paths[path].post.responses, path).toHaveProperty("422");
    const diff = doc.paths["/diff"].post.requestBody.content["application/json"].schema;
    expect(diff.oneOf.map((s: any) => s.required)).toEqual([["a", "b"], ["scenario", "versions"]]);
    expect(doc.paths["/s/{id}"].get.responses).toHaveProperty("304");
  });
});

describe("review R2: bad input in commands is a 4xx at the line, iptables lines work", () => {
  const simulate = (body: unknown) => post("/simulate", JSON.stringify(body));

  it("answers 400 (not 500) to a bad --subnet, naming /commands/N, the flag and the value", async () => {
    const p = await expectProblem(await simulate({ commands: ["docker network create app2", "docker network create --subnet 10.0.0.0/33 app"] }), 400);
    expect(p.errors).toEqual([{ pointer: "/commands/1", message: expect.stringContaining('--subnet "10.0.0.0/33"') }]);
    const port = await expectProblem(await simulate({ commands: ["docker run -p 1.2.3.999:80:80 nginx"] }), 400);
    expect(port.errors[0]).toMatchObject({ pointer: "/commands/0", message: expect.stringContaining(`-p "1.2.3.999:80:80"`) });
  });

  it("applies the docs' DOCKER-USER iptables line from the text form, and 422s iptables' own error", async () => {
    const text = "docker run -d -p 8080:80 --name web nginx\nsudo iptables -I DOCKER-USER -i eth0 ! -s 192.168.1.1 -j DROP\nflow external -> host:8080\n";
    const res = await post("/simulate", text, { "content-type": "text/plain" });
    expect(res.status).toBe(200);
    const r = (await res.json()) as Record<string, any>;
    expect(r.traces[0].verdict).toBe("dropped");
    const p = await expectProblem(await simulate({ commands: ["iptables -A NOPE -j DROP"] }), 422);
    expect(p.errors).toEqual([{ pointer: "/commands/0", message: expect.stringMatching(/^iptables/) }]);
  });

  it("accepts pasted version strings and 422s a release that does not exist", async () => {
    const ok = await simulate({ docker: { version: "Docker version 20.10.24+dfsg1, build 297e128" } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as any).docker).toEqual({ version: "20.10.24", family: "20.10" });
    const p = await expectProblem(await simulate({ docker: { version: "26.1.5" } }), 422);
    expect(p.errors).toEqual([{ pointer: "/docker/version", message: expect.stringContaining("26.1.4") }]);
  });

  it("400s a flow name with a line break, 422s a family mismatch and external -> localhost", async () => {
    const name = await expectProblem(await simulate({ flows: [{ name: "a\nb", from: "external", to: "host:80" }] }), 400);
    expect(name.errors.map((e: any) => e.pointer)).toEqual(["/flows/0/name"]);
    const base = { containers: [{ name: "web", ports: ["8080:80"] }] };
    const fam = await expectProblem(await simulate({ ...base, flows: [{ from: "web", to: "1.2.3.4:80", family: "ipv6" }] }), 422);
    expect(fam.errors.map((e: any) => e.pointer)).toEqual(["/flows/0/family"]);
    const lo = await expectProblem(await simulate({ ...base, flows: [{ from: "external", to: "localhost:8080" }] }), 422);
    expect(lo.errors[0].message).toContain("own loopback");
  });
});

// The docs/CI surface inside workerd: formats, Kroki-style GET, caching, permalinks in KV,
// embeds, oEmbed, checks, diffs and the playground page.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import seed from "../../examples/seed.json";
import { encodeScenario, toBase64Url } from "../../src/api/codec.ts";
import { LIMITS } from "../../src/scenario/schema.ts";
import pkg from "../../package.json";

const BASE = "http://nfplay.test";
const get = (path: string, headers: Record<string, string> = {}) => exports.default.fetch(`${BASE}${path}`, { headers });
const post = (path: string, body: unknown, type = "application/json") =>
  exports.default.fetch(`${BASE}${path}`, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), headers: { "content-type": type } });

async function expectProblem(res: Response, status: number): Promise<Record<string, any>> {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.headers.get("cache-control")).toBe("no-store");
  return (await res.json()) as Record<string, any>;
}

const HOSTILE = {
  rules: { host: { "iptables-save": '*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -m comment --comment "x\\"><script>alert(1)</script>" -j ACCEPT\nCOMMIT\n' } },
  flows: [{ name: 'x"><script>alert(1)</script><img src=x onerror=alert(2)>', from: "external", to: "host:22" }],
};

describe("?format= on POST /simulate", () => {
  it.each([
    ["iptables-S", /^text\/plain/, /^# iptables -t filter -S\n-P INPUT ACCEPT\n-P FORWARD DROP\n/],
    ["iptables-L", /^text\/plain/, /Chain DOCKER \(1 references\)\n pkts bytes target/],
    ["walkthrough", /^text\/plain/, /changed by the last rule: destination 203\.0\.113\.10:8543 -> 172\.17\.0\.2:8888/],
    ["summary", /^text\/plain/, /^internet to web \(tcp\): delivered to web 172\.17\.0\.2:8888; connects\n/],
    ["markdown", /^text\/markdown/, /^## nfplay report\n[\s\S]*```text\n\*filter/],
    ["mermaid", /^text\/plain/, /^flowchart TD\n/],
    ["svg", /^image\/svg\+xml/, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>\n$/],
    ["html", /^text\/html/, /^<div class="nfplay-embed"/],
  ])("renders %s in the sandbox", async (format, type, body) => {
    const res = await post(`/simulate?format=${format}`, seed);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(type);
    expect(await res.text()).toMatch(body);
  });

  it("counts the traced packets in iptables-L: one 60-byte SYN through the DNAT rule", async () => {
    const text = await (await post("/simulate?format=iptables-L", seed)).text();
    expect(text).toContain("    1    60 DNAT       tcp  --  !docker0 *       0.0.0.0/0            0.0.0.0/0            tcp dpt:8543 to:172.17.0.2:8888");
  });

  it("serves svg/html with a CSP that forbids scripts, and escapes hostile names and comments", async () => {
    for (const format of ["svg", "html"]) {
      const res = await post(`/simulate?format=${format}&theme=dark`, HOSTILE);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-security-policy")).toMatch(/default-src 'none'.*sandbox/);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      const text = await res.text();
      expect(text).not.toMatch(/<script|<img|<[^>]*\son\w+=|javascript:/i);
      expect(text).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    }
  });

  it("accepts the docs' text form (docker commands and flow lines) as text/plain", async () => {
    const text = "docker-version 20.10\ndocker run -d --name web -p 8543:8888 image\nflow in: external -> host:8543\n";
    const res = await post("/simulate?format=summary", text, "text/plain");
    expect(await res.text()).toBe("in (tcp): delivered to web 172.17.0.2:8888; connects\n");
    const bad = await expectProblem(await post("/simulate", "docker run x\ncurl localhost", "text/plain"), 400);
    expect(bad.errors[0].message).toMatch(/^line 2: /);
  });

  it("rejects an unknown ?theme naming the parameter", async () => {
    const body = await expectProblem(await post("/simulate?format=svg&theme=pink", seed), 400);
    expect(body.errors[0]).toMatchObject({ parameter: "theme" });
  });
});

describe("GET /simulate?scenario= (Kroki-style)", () => {
  it("answers the same bytes and id for the same scenario, whatever its key order", async () => {
    const enc = await encodeScenario(seed);
    const reordered = await encodeScenario(Object.fromEntries(Object.entries(seed).reverse()));
    const [a, b] = await Promise.all([get(`/simulate?scenario=${enc}`), get(`/simulate?scenario=${reordered}`)]);
    expect(a.status).toBe(200);
    const [ta, tb] = await Promise.all([a.text(), b.text()]);
    expect(ta).toBe(tb);
    expect(JSON.parse(ta).id).toMatch(/^[A-Za-z0-9_-]{21}$/);
    expect(a.headers.get("etag")).toBe(b.headers.get("etag"));
  });

  it("is immutable when versioned with ?v=, revalidates with ETag otherwise", async () => {
    const enc = await encodeScenario(seed);
    const versioned = await get(`/simulate?scenario=${enc}&format=svg&v=${pkg.version}`);
    expect(versioned.status).toBe(200);
    expect(versioned.headers.get("content-type")).toBe("image/svg+xml");
    expect(versioned.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const svg = await versioned.text();
    expect(svg.length).toBeGreaterThan(1000);
    const etag = versioned.headers.get("etag")!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{21}\.svg\.auto"$/);
    const plain = await get(`/simulate?scenario=${enc}&format=svg`);
    expect(plain.headers.get("cache-control")).toBe("public, max-age=300");
    expect(await plain.text()).toBe(svg);
    const again = await get(`/simulate?scenario=${enc}&format=svg&v=${pkg.version}`, { "if-none-match": etag });
    expect(again.status).toBe(304);
  });

  it("names the parameter in every error, and never caches one", async () => {
    expect((await expectProblem(await get("/simulate"), 400)).errors[0]).toMatchObject({ parameter: "scenario" });
    expect((await expectProblem(await get("/simulate?scenario=%25%25"), 400)).errors[0].message).toMatch(/base64url/);
    expect((await expectProblem(await get(`/simulate?scenario=${toBase64Url(new TextEncoder().encode("hello"))}`), 400)).errors[0].message).toMatch(/deflate/);
    const invalid = await expectProblem(await get(`/simulate?scenario=${await encodeScenario({ containers: [{ name: "web", ports: ["nope"] }] })}`), 400);
    expect(invalid.errors[0]).toMatchObject({ pointer: "/containers/0/ports/0", parameter: "scenario" });
    const impossible = { containers: [{ name: "a", ports: ["8080:80"] }, { name: "b", ports: ["8080:80"] }] };
    await expectProblem(await get(`/simulate?scenario=${await encodeScenario(impossible)}&v=${pkg.version}`), 422);
  });

  it("caps the parameter and what it inflates to, like the POST body", async () => {
    const huge = { commands: ["x".repeat(LIMITS.bodyBytes)] };
    const body = await expectProblem(await get(`/simulate?scenario=${await encodeScenario(huge)}`), 413);
    expect(body.errors[0]).toMatchObject({ parameter: "scenario" });
    await expectProblem(await get(`/simulate?scenario=${"A".repeat(LIMITS.bodyBytes + 1)}`), 413);
  });
});

describe("permalinks", () => {
  it("stores a scenario under a content-addressed id and serves it back", async () => {
    const first = await post("/share", seed);
    expect([200, 201]).toContain(first.status);
    const share = (await first.json()) as { id: string; url: string; embed: string; svg: string };
    expect(share.id).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(share.url).toBe(`${BASE}/s/${share.id}`);
    const again = await post("/share", Object.fromEntries(Object.entries(seed).reverse()));
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: string }).id).toBe(share.id);

    expect(share.svg).toBe(`${BASE}/s/${share.id}?format=svg&v=${pkg.version}`);
    const res = await get(`/s/${share.id}`);
    expect(res.status).toBe(200);
    // Unpinned, a share follows the deployed release: short cache, revalidated by ETag.
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    const pinned = await get(`/s/${share.id}?v=${pkg.version}`);
    expect(pinned.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const embed = await get(`/embed/${share.id}`);
    expect(embed.headers.get("cache-control")).toBe("public, max-age=300");
    expect(res.headers.get("etag")).toBeTruthy();
    const result = (await res.json()) as { id: string; traces: unknown[] };
    expect(result.traces).toHaveLength(3);
    const direct = await get(`/simulate?scenario=${await encodeScenario(seed)}`);
    expect(((await direct.json()) as { id: string }).id).toBe(result.id);
    const svg = await get(`/s/${share.id}?format=svg&theme=light`);
    expect(svg.headers.get("content-type")).toBe("image/svg+xml");
    expect(await svg.text()).toContain("--bg:#ffffff");
  });

  it("answers 404 for an unknown share", async () => {
    await expectProblem(await get("/s/AAAAAAAAAAAA"), 404);
    await expectProblem(await get("/s/not-an-id"), 404);
  });

  it("serves an embed page with a strict CSP (no script, hashed styles) and oEmbed for it", async () => {
    const share = (await (await post("/share", HOSTILE)).json()) as { id: string; url: string };
    const page = await get(`/embed/${share.id}`);
    expect(page.status).toBe(200);
    const csp = page.headers.get("content-security-policy")!;
    expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'( 'sha256-[A-Za-z0-9+/=]+')*; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors \*$/);
    expect(csp).not.toMatch(/unsafe|script-src/);
    const html = await page.text();
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<img|<[^>]*\son\w+=/i);

    const o = await get(`/oembed?url=${encodeURIComponent(share.url)}&maxwidth=640`);
    expect(o.status).toBe(200);
    const oembed = (await o.json()) as Record<string, any>;
    expect(oembed).toMatchObject({ version: "1.0", type: "rich", provider_name: "nfplay", width: 640 });
    expect(oembed.html).toBe(`<iframe src="${BASE}/embed/${share.id}" width="640" height="600" style="border:0" loading="lazy" title="nfplay trace"></iframe>`);
    await expectProblem(await get(`/oembed?url=${encodeURIComponent("https://elsewhere.test/s/" + share.id)}`), 404);
    expect((await expectProblem(await get("/oembed"), 400)).errors[0]).toMatchObject({ parameter: "url" });
  });
});

describe("POST /check", () => {
  const expecting = (verdict: string) => ({
    ...seed,
    flows: seed.flows.map((f, i) => (i === 0 ? { ...f, expect: { verdict, connects: true, passes: "-j DNAT --to-destination 172.17.0.2:8888" } } : f)),
    expect: { rules: { mustContain: ["-A DOCKER-USER -j RETURN"] } },
  });

  it("passes when the expectations hold", async () => {
    const res = await post("/check", expecting("delivered"));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ pass: true, checks: 4, failures: [], report: "ok: 4 checks passed\n" });
  });

  it("fails with a readable report, and under another Docker version", async () => {
    const body = (await (await post("/check", expecting("dropped"))).json()) as Record<string, any>;
    expect(body.pass).toBe(false);
    expect(body.failures).toEqual([expect.objectContaining({ pointer: "/flows/0/expect/verdict" })]);
    expect(body.report).toMatch(/^FAIL \/flows\/0\/expect\/verdict: flow "internet to web": expected verdict dropped, got delivered/);
    const text = await post("/check?format=text&docker-version=27", expecting("delivered"));
    expect(text.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await text.text()).toMatch(/checks? (passed|failed)/);
    await expectProblem(await post("/check?docker-version=latest", seed), 400);
  });
});

describe("POST /diff", () => {
  it("diffs two scenarios: rules unified, traces per flow", async () => {
    const b = { ...seed, daemon: { icc: false } };
    const res = await post("/diff", { a: seed, b });
    expect(res.status).toBe(200);
    const d = (await res.json()) as Record<string, any>;
    expect(d.same).toBe(false);
    expect(d.rules.diff).toMatch(/^--- a\/iptables-save\n\+\+\+ b\/iptables-save\n@@ /);
    expect(d.rules.diff).toMatch(/^\+-A FORWARD -i docker0 -o docker0 -j DROP$/m);
    expect(d.traces).toHaveLength(3);
  });

  it("diffs one scenario under two Docker versions, as text too", async () => {
    const res = await post("/diff?format=text", { scenario: seed, versions: ["20.10", "20.10"] });
    expect(await res.text()).toMatch(/^# a: Docker 20\.10\.\d+   b: Docker 20\.10\.\d+\n# rules: identical\n# flow internet to web: same\n/);
    const across = (await (await post("/diff", { scenario: seed, versions: ["20.10", "27"] })).json()) as Record<string, any>;
    expect(across.a.docker.family).toBe("20.10");
    expect(across.b.docker.version).toMatch(/^27\./);
  });

  it("points into the scenario at fault", async () => {
    const body = await expectProblem(await post("/diff", { a: seed, b: { containers: "x" } }), 400);
    expect(body.errors[0].pointer).toBe("/b/containers");
    await expectProblem(await post("/diff", { a: seed }), 400);
  });
});

describe("GET / (playground)", () => {
  it("is one self-contained page under a CSP that allows exactly its script and style", async () => {
    const res = await get("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toMatch(/^default-src 'none'; script-src 'sha256-[^']+'; style-src 'sha256-[^']+'; connect-src 'self'; img-src blob:;/);
    const html = await res.text();
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(script)));
    expect(csp).toContain(`'sha256-${btoa(String.fromCharCode(...digest))}'`);
  });
});

// The API worker inside workerd, with the real sandbox worker behind its service binding.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import seed from "../../examples/seed.json";
import seedCommands from "../../examples/seed-commands.json";
import { LIMITS } from "../../src/scenario/schema.ts";

const BASE = "http://nfplay.test";

function post(body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  return exports.default.fetch(`${BASE}/simulate`, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", ...headers },
  });
}

async function expectProblem(res: Response, status: number): Promise<Record<string, any>> {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const body = (await res.json()) as Record<string, any>;
  expect(body).toMatchObject({ status, type: expect.stringMatching(/^https:\/\//), title: expect.any(String), detail: expect.any(String) });
  expect(Array.isArray(body.errors)).toBe(true);
  return body;
}

describe("POST /simulate", () => {
  it("answers ?format=trace and ?format=iptables-save as text", async () => {
    const trace = await exports.default.fetch(`${BASE}/simulate?format=trace`, { method: "POST", body: JSON.stringify(seed) });
    expect(trace.status).toBe(200);
    expect(trace.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await trace.text()).toMatch(/ TRACE: 2 [0-9a-f]{8} nat:DOCKER:rule:2:ACCEPT  -4 -t nat -A DOCKER ! -i docker0 -p tcp -m tcp --dport 8543 -j DNAT/);
    const save = await exports.default.fetch(`${BASE}/simulate?format=iptables-save`, { method: "POST", body: JSON.stringify(seed) });
    expect(await save.text()).toMatch(/^\*filter\n:INPUT ACCEPT \[0:0\]\n:FORWARD DROP \[0:0\]/);
  });

  it("traces a pasted iptables-save (bring your own rules)", async () => {
    const rules = "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n";
    const scenario = { rules: { host: { "iptables-save": rules } }, flows: [{ from: "external", to: "host:22" }, { from: "external", to: "host:80" }] };
    const res = await post(JSON.stringify(scenario));
    expect(res.status).toBe(200);
    const result = (await res.json()) as Record<string, any>;
    expect(result.rules.host["iptables-save"]).toBe(rules);
    expect(result.traces[0]).toMatchObject({ verdict: "delivered", connects: true });
    expect(result.traces[0].steps.at(-1)).toMatchObject({ chain: "INPUT", ruleNumber: 1, verdict: "ACCEPT" });
    expect(result.traces[1]).toMatchObject({ verdict: "dropped", connects: false });
    expect(result.traces[1].steps.at(-1)).toMatchObject({ chain: "INPUT", ruleNumber: null, verdict: "policy DROP" });
  });

  it("names the failing line of a pasted ruleset", async () => {
    const scenario = { rules: { host: { "iptables-save": "*filter\n-A INPUT --nowhere\nCOMMIT\n" } } };
    const body = await expectProblem(await post(JSON.stringify(scenario)), 400);
    // iptables-restore's own words (test/kernel/errors.test.ts)
    expect(body.errors[0]).toMatchObject({ pointer: "/rules/host/iptables-save", message: expect.stringMatching(/unknown option "--nowhere"\nError occurred at line: 2\n/) });
  });

  it("rejects an unknown ?format with 400", async () => {
    const res = await exports.default.fetch(`${BASE}/simulate?format=pdf`, { method: "POST", body: JSON.stringify(seed) });
    const body = await expectProblem(res, 400);
    expect(body.errors[0].message).toMatch(/format/);
  });

  it("simulates the seed scenario", async () => {
    const res = await post(JSON.stringify(seed));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const result = (await res.json()) as Record<string, any>;
    expect(Object.keys(result)).toEqual(expect.arrayContaining(["id", "docker", "networks", "containers", "rules", "traces"]));
    expect(result.id).toMatch(/^[A-Za-z0-9_-]{21}$/);
    expect(result.docker.family).toBe("20.10");
    expect(result.rules.host["iptables-save"]).toContain("*filter");
    expect(result.traces.map((t: { name: string }) => t.name)).toEqual(seed.flows.map((f) => f.name));
    for (const trace of result.traces) expect(["delivered", "dropped", "rejected", "unroutable"]).toContain(trace.verdict);
  });

  it("gives each simulation its own id", async () => {
    const [a, b] = await Promise.all([post(JSON.stringify(seed)), post(JSON.stringify(seed))]);
    const [ra, rb] = (await Promise.all([a.json(), b.json()])) as { id: string }[];
    expect(ra!.id).not.toBe(rb!.id);
  });

  it("simulates the docker-commands form of the seed", async () => {
    const res = await post(JSON.stringify(seedCommands));
    expect(res.status).toBe(200);
    const result = (await res.json()) as Record<string, any>;
    expect(result.traces).toHaveLength(seedCommands.flows.length);
  });

  it("answers 400 to a body that is not JSON", async () => {
    const body = await expectProblem(await post("{\"containers\": ["), 400);
    expect(body.type).toMatch(/invalid-json$/);
  });

  it("answers 400 to an empty body", async () => {
    await expectProblem(await post(""), 400);
  });

  it("answers 400 to a body that is not UTF-8", async () => {
    await expectProblem(await post(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), 400);
  });

  it("points at the field that fails the schema", async () => {
    const scenario = { containers: [{ name: "web", ports: ["8080:80", "not a port"] }] };
    const body = await expectProblem(await post(JSON.stringify(scenario)), 400);
    expect(body.type).toMatch(/invalid-scenario$/);
    expect(body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(["/containers/0/ports/1"]);
    expect(body.errors[0].message).toEqual(expect.any(String));
  });

  it("points at an unknown key itself, with RFC 6901 escaping", async () => {
    const scenario = { rules: { "a/b~c": { "iptables-save": "*filter\nCOMMIT\n", bogus: 1 } } };
    const body = await expectProblem(await post(JSON.stringify(scenario)), 400);
    expect(body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(["/rules/a~1b~0c/bogus"]);
  });

  it("answers 400 to JSON that is not an object", async () => {
    const body = await expectProblem(await post("[1,2]"), 400);
    expect(body.errors[0].pointer).toBe("");
  });

  it("answers 413 when Content-Length is over the limit", async () => {
    const big = JSON.stringify({ commands: ["x".repeat(LIMITS.bodyBytes)] });
    const body = await expectProblem(await post(big), 413);
    expect(body.type).toMatch(/body-too-large$/);
  });

  it("answers 413 when a streamed body without Content-Length grows over the limit", async () => {
    const chunk = new TextEncoder().encode(" ".repeat(16 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Stops by itself a little past the limit, whatever the server does.
        if (sent > LIMITS.bodyBytes + chunk.byteLength) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    // The worker stops reading mid-stream; workerd logs the aborted pipe ("read end of pipe
    // was aborted"): expected here.
    const res = await exports.default.fetch(`${BASE}/simulate`, { method: "POST", body: stream });
    await expectProblem(res, 413);
  });

  it("passes the engine's 422 through", async () => {
    const scenario = {
      containers: [
        { name: "a", ports: ["8080:80"] },
        { name: "b", ports: ["8080:80"] },
      ],
    };
    const body = await expectProblem(await post(JSON.stringify(scenario)), 422);
    expect(body.type).not.toMatch(/internal$/);
  });

  it("answers 405 to other methods", async () => {
    // GET /simulate?scenario= is the Kroki-style form (test/api/docs.test.ts).
    const res = await exports.default.fetch(`${BASE}/simulate`, { method: "PUT", body: "{}" });
    await expectProblem(res, 405);
    expect(res.headers.get("allow")).toBe("GET, POST");
  });
});

describe("the sandbox worker", () => {
  it("validates on its own, whoever calls it", async () => {
    const reply = await env.SANDBOX.simulate({ containers: "nope" }, "test-id");
    expect(reply.ok).toBe(false);
    if (!reply.ok) expect(reply.problem).toMatchObject({ status: 400, errors: [{ pointer: "/containers" }] });
  });

  it("puts the caller's id in the result", async () => {
    const reply = await env.SANDBOX.simulate(seed, "test-id-0123456789abc");
    expect(reply.ok).toBe(true);
    if (reply.ok) expect(reply.result.id).toBe("test-id-0123456789abc");
  });
});

describe("other routes", () => {
  it("serves an OpenAPI document built from the schemas", async () => {
    const res = await exports.default.fetch(`${BASE}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = JSON.parse(await res.text());
    expect(doc.openapi).toMatch(/^3\.1/);
    expect(doc.paths["/simulate"].post.requestBody).toBeDefined();
    expect(Object.keys(doc.components.schemas.Scenario.properties)).toEqual(
      expect.arrayContaining(["docker", "daemon", "containers", "flows", "commands"]),
    );
  });

  it("answers /healthz", async () => {
    const res = await exports.default.fetch(`${BASE}/healthz`);
    expect(res.status).toBe(200);
  });

  it("answers 404 problem+json to unknown routes", async () => {
    await expectProblem(await exports.default.fetch(`${BASE}/nope`), 404);
  });
});

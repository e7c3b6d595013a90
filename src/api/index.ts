// The API worker: HTTP in, problem+json or a Result out. It validates and routes; scenarios
// run (and are rendered) only in the sandbox worker, reached through the SANDBOX service
// binding. Nothing here imports the engine or the renderers (test: src/api/isolation.test.ts).
import { Hono, type Context } from "hono";
import { nanoid } from "nanoid";
import { z } from "zod";
import { LIMITS, scenarioSchema, type Scenario } from "../scenario/schema.js";
// Only the names: rendering happens in the sandbox, like everything else of the engine.
import { CONTENT_TYPES, FORMATS, isFormat, isTheme, THEMES, type Format, type Theme } from "../scenario/formats.js";
import { readBody } from "./body.js";
import { canonicalJson, contentId, SHARE_ID, shareId } from "./canonical.js";
import { decodeScenarioParam } from "./codec.js";
import type { Env } from "./env.js";
import { buildOpenApi } from "./openapi.js";
import { PLAYGROUND_SCRIPT, PLAYGROUND_STYLE, playgroundPage } from "./playground.js";
import { internalProblem, parameterProblem, parseJsonBytes, problem, validationProblem, type Problem } from "./problem.js";
import { parseScenarioText } from "./scenario-text.js";
import pkg from "../../package.json";

type App = { Bindings: Env };
type Ctx = Context<App>;

const VERSION: string = pkg.version;
const IMMUTABLE = "public, max-age=31536000, immutable";
const SHORT = "public, max-age=300";

const app = new Hono<App>();

/** Errors are never cached: a fixed scenario or a redeploy must be seen at once. */
function problemResponse(p: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(p), {
    status: p.status,
    headers: { "content-type": "application/problem+json", "cache-control": "no-store", ...headers },
  });
}

function methodNotAllowed(allow: string) {
  return (c: Ctx) =>
    problemResponse(
      problem("method-not-allowed", 405, "Method not allowed", `${c.req.method} ${c.req.path} is not supported; use ${allow}`),
      { allow },
    );
}

/** ?format= and ?theme=, or the 400 naming the parameter. */
function outputOf(c: Ctx): { format: Format; theme: Theme } | Problem {
  const format = c.req.query("format") ?? "json";
  if (!isFormat(format)) return parameterProblem("format", `"${format}" is not one of ${FORMATS.join(", ")}`);
  const theme = c.req.query("theme") ?? "auto";
  if (!isTheme(theme)) return parameterProblem("theme", `"${theme}" is not one of ${THEMES.join(", ")}`);
  return { format, theme };
}

const isProblem = (x: unknown): x is Problem => typeof x === "object" && x !== null && "status" in x && "type" in x;

/** A body as JSON, or as the docs' text form (docker commands and flow lines) when sent as text/plain. */
async function readScenarioValue(c: Ctx, limit: number = LIMITS.bodyBytes): Promise<unknown | Problem> {
  const body = await readBody(c.req.raw, limit);
  if (!body.ok) return body.problem;
  const type = c.req.header("content-type") ?? "";
  const head = new TextDecoder().decode(body.bytes.subarray(0, 64)).trimStart();
  if (type.startsWith("text/plain") && head !== "" && !head.startsWith("{") && !head.startsWith("[")) {
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(body.bytes);
    } catch {
      return problem("invalid-json", 400, "The body is not valid UTF-8", "the body is not valid UTF-8");
    }
    const parsed = parseScenarioText(text);
    if (!parsed.ok) return problem("invalid-scenario-text", 400, "The scenario text cannot be read", `line ${parsed.line}: ${parsed.message}`, [{ pointer: "", message: `line ${parsed.line}: ${parsed.message}` }]);
    return parsed.value;
  }
  const json = parseJsonBytes(body.bytes);
  return json.ok ? json.value : json.problem;
}

function validate(value: unknown): Scenario | Problem {
  const parsed = scenarioSchema.safeParse(value);
  return parsed.success ? parsed.data : validationProblem(parsed.error);
}

/** Security headers of rendered documents: nothing in them may run or load anything. */
function renderedHeaders(format: Format): Record<string, string> {
  const headers: Record<string, string> = { "content-type": CONTENT_TYPES[format], "x-content-type-options": "nosniff" };
  if (format === "svg" || format === "html") headers["content-security-policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";
  return headers;
}

/** Run the scenario in the sandbox and answer in the asked form, with the given extra headers. */
async function respond(c: Ctx, scenario: unknown, id: string, format: Format, theme: Theme, extra: Record<string, string> = {}): Promise<Response> {
  if (format === "json") {
    const reply = await c.env.SANDBOX.simulate(scenario, id);
    return reply.ok ? new Response(JSON.stringify(reply.result), { headers: { ...renderedHeaders("json"), ...extra } }) : problemResponse(reply.problem);
  }
  const text = await c.env.SANDBOX.simulateText(scenario, id, format, { theme });
  return text.ok ? new Response(text.body, { headers: { ...renderedHeaders(format), ...extra } }) : problemResponse(text.problem);
}

/**
 * A GET of a content-addressed simulation: same scenario + same nfplay version = same bytes,
 * so the id is derived from both and the answer carries an ETag (304 on If-None-Match).
 */
async function respondCached(c: Ctx, scenario: Scenario, format: Format, theme: Theme, cacheControl: string): Promise<Response> {
  const id = await contentId(scenario, VERSION);
  const etag = `"${id}.${format}.${theme}"`;
  const headers = { etag, "cache-control": cacheControl, "x-nfplay-version": VERSION };
  const inm = c.req.header("if-none-match");
  if (inm !== undefined && inm.split(",").some((t) => t.trim().replace(/^W\//, "") === etag)) return new Response(null, { status: 304, headers });
  return respond(c, scenario, id, format, theme, headers);
}

app.get("/", async (c) => {
  const [script, style] = await Promise.all([cspHash(PLAYGROUND_SCRIPT), cspHash(PLAYGROUND_STYLE)]);
  return c.body(playgroundPage(VERSION), 200, {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": `default-src 'none'; script-src '${script}'; style-src '${style}'; connect-src 'self'; img-src blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-cache",
  });
});
app.all("/", methodNotAllowed("GET"));

app.post("/simulate", async (c) => {
  const out = outputOf(c);
  if (isProblem(out)) return problemResponse(out);
  const value = await readScenarioValue(c);
  if (isProblem(value)) return problemResponse(value);
  const scenario = validate(value);
  if (isProblem(scenario)) return problemResponse(scenario);
  // The raw value goes over RPC: the sandbox validates it again as its own boundary.
  return respond(c, value, nanoid(), out.format, out.theme);
});

// Kroki-style: GET /simulate?scenario=<zlib deflate + base64url of the JSON>&format=svg[&v=VERSION]
app.get("/simulate", async (c) => {
  const out = outputOf(c);
  if (isProblem(out)) return problemResponse(out);
  const param = c.req.query("scenario");
  if (param === undefined || param === "") return problemResponse(parameterProblem("scenario", "is required: the scenario JSON, zlib-deflated and base64url-encoded (as Kroki encodes diagrams)"));
  if (param.length > LIMITS.bodyBytes) return problemResponse(parameterProblem("scenario", `must be at most ${LIMITS.bodyBytes} characters`, 413));
  const decoded = await decodeScenarioParam(param, LIMITS.bodyBytes);
  if (!decoded.ok) {
    if (decoded.reason === "too-large") return problemResponse(parameterProblem("scenario", `inflates to more than ${LIMITS.bodyBytes} bytes`, 413));
    return problemResponse(parameterProblem("scenario", decoded.reason === "not-base64url" ? "is not base64url" : "is not zlib deflate data"));
  }
  const json = parseJsonBytes(decoded.bytes);
  if (!json.ok) return problemResponse(parameterProblem("scenario", `does not hold JSON: ${json.problem.detail}`));
  const scenario = validate(json.value);
  if (isProblem(scenario)) return problemResponse({ ...scenario, errors: scenario.errors.map((e) => ({ ...e, parameter: "scenario" })) });
  return respondCached(c, scenario, out.format, out.theme, c.req.query("v") === VERSION ? IMMUTABLE : SHORT);
});
app.all("/simulate", methodNotAllowed("GET, POST"));

// Permalinks: content-addressed, so sharing the same scenario twice gives the same id.
app.post("/share", async (c) => {
  const value = await readScenarioValue(c);
  if (isProblem(value)) return problemResponse(value);
  const scenario = validate(value);
  if (isProblem(scenario)) return problemResponse(scenario);
  const id = await shareId(scenario);
  const text = canonicalJson(scenario);
  const existing = await c.env.SHARES.get(`s:${id}`);
  if (existing !== null && existing !== text) return problemResponse(internalProblem(`share id ${id} collides with another scenario`));
  if (existing === null) await c.env.SHARES.put(`s:${id}`, text);
  const origin = new URL(c.req.url).origin;
  return c.json({ id, url: `${origin}/s/${id}`, embed: `${origin}/embed/${id}`, svg: `${origin}/s/${id}?format=svg` }, existing === null ? 201 : 200);
});
app.all("/share", methodNotAllowed("POST"));

async function loadShare(c: Ctx, id: string): Promise<Scenario | Problem> {
  const missing = problem("share-not-found", 404, "No such share", `no shared scenario "${id}"`);
  if (!SHARE_ID.test(id)) return missing;
  const text = await c.env.SHARES.get(`s:${id}`);
  if (text === null) return missing;
  return validate(JSON.parse(text));
}

app.get("/s/:id", async (c) => {
  const out = outputOf(c);
  if (isProblem(out)) return problemResponse(out);
  const scenario = await loadShare(c, c.req.param("id"));
  if (isProblem(scenario)) return problemResponse(scenario);
  return respondCached(c, scenario, out.format, out.theme, IMMUTABLE);
});
app.all("/s/:id", methodNotAllowed("GET"));

async function cspHash(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return `sha256-${btoa(String.fromCharCode(...digest))}`;
}

const EMBED_STYLE = "body{margin:8px;font:14px system-ui,sans-serif;background:#fff;color:#1f2328}@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}}a{color:inherit}";

// An iframe page: the html fragment in a document whose CSP allows only its own styles.
app.get("/embed/:id", async (c) => {
  const theme = c.req.query("theme") ?? "auto";
  if (!isTheme(theme)) return problemResponse(parameterProblem("theme", `"${theme}" is not one of ${THEMES.join(", ")}`));
  const id = c.req.param("id");
  const scenario = await loadShare(c, id);
  if (isProblem(scenario)) return problemResponse(scenario);
  const rid = await contentId(scenario, VERSION);
  const fragment = await c.env.SANDBOX.simulateText(scenario, rid, "html", { theme });
  if (!fragment.ok) return problemResponse(fragment.problem);
  const page = `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>nfplay trace</title><style>${EMBED_STYLE}</style></head><body>\n${fragment.body}<p><a href="/s/${id}?format=walkthrough" target="_blank" rel="noopener">walkthrough</a> · <a href="/s/${id}" target="_blank" rel="noopener">JSON</a> · nfplay ${VERSION}</p>\n</body></html>\n`;
  const styles = [...page.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
  const hashes = await Promise.all(styles.map(cspHash));
  return c.body(page, 200, {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": `default-src 'none'; style-src ${[...new Set(hashes)].map((h) => `'${h}'`).join(" ")}; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors *`,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": IMMUTABLE,
    etag: `"${rid}.embed.${theme}"`,
  });
});
app.all("/embed/:id", methodNotAllowed("GET"));

// oEmbed (https://oembed.com): a "rich" answer whose html is the iframe of /embed/{id}.
app.get("/oembed", async (c) => {
  const url = c.req.query("url");
  if (!url) return problemResponse(parameterProblem("url", "is required: a /s/{id} or /embed/{id} URL of this service"));
  if ((c.req.query("format") ?? "json") !== "json") return problemResponse(problem("not-implemented", 501, "Only JSON", "oEmbed format must be json"));
  const origin = new URL(c.req.url).origin;
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return problemResponse(parameterProblem("url", "is not a URL"));
  }
  const m = /^\/(?:s|embed)\/([A-Za-z0-9_-]+)$/.exec(target.pathname);
  if (target.origin !== origin || !m) return problemResponse(problem("not-found", 404, "Not an nfplay URL", `url must be ${origin}/s/{id} or ${origin}/embed/{id}`));
  const scenario = await loadShare(c, m[1]!);
  if (isProblem(scenario)) return problemResponse(scenario);
  const maxWidth = Number(c.req.query("maxwidth")) || 800;
  const maxHeight = Number(c.req.query("maxheight")) || 600;
  const width = Math.min(800, maxWidth);
  const height = Math.min(600, maxHeight);
  const src = `${origin}/embed/${m[1]}`;
  return c.json(
    {
      version: "1.0",
      type: "rich",
      provider_name: "nfplay",
      provider_url: `${origin}/`,
      title: `nfplay: ${(scenario.flows ?? []).map((f, i) => f.name ?? `flow ${i + 1}`).join(", ") || "rules"}`,
      html: `<iframe src="${src}" width="${width}" height="${height}" style="border:0" loading="lazy" title="nfplay trace"></iframe>`,
      width,
      height,
      cache_age: 86400,
    },
    200,
    { "cache-control": SHORT },
  );
});

// CI: the scenario's `expect` checked against its simulation; 200 either way, pass in the body.
app.post("/check", async (c) => {
  const dockerVersion = c.req.query("docker-version");
  if (dockerVersion !== undefined && !/^\d+(\.\d+){0,2}$/.test(dockerVersion)) return problemResponse(parameterProblem("docker-version", 'must be a Docker release such as "20.10" or "27"'));
  const value = await readScenarioValue(c);
  if (isProblem(value)) return problemResponse(value);
  const scenario = validate(value);
  if (isProblem(scenario)) return problemResponse(scenario);
  const reply = await c.env.SANDBOX.check(value, nanoid(), dockerVersion);
  if (!reply.ok) return problemResponse(reply.problem);
  if (c.req.query("format") === "text") return c.body(reply.report.text, 200, { "content-type": "text/plain; charset=utf-8" });
  return c.json({ pass: reply.report.pass, checks: reply.report.checks, failures: reply.report.failures, report: reply.report.text, summary: reply.summary });
});
app.all("/check", methodNotAllowed("POST"));

const version = z.string().regex(/^\d+(\.\d+){0,2}$/, 'must be a Docker release such as "20.10" or "27"');
const diffRequestSchema = z.union([
  z.strictObject({ a: z.unknown(), b: z.unknown() }),
  z.strictObject({ scenario: z.unknown(), versions: z.tuple([version, version]) }),
]);

// Two scenarios, or one under two Docker releases: the rule diff and what changed per flow.
app.post("/diff", async (c) => {
  const value = await readScenarioValue(c, 2 * LIMITS.bodyBytes);
  if (isProblem(value)) return problemResponse(value);
  const req = diffRequestSchema.safeParse(value);
  if (!req.success) return problemResponse(validationProblem(req.error));
  const [a, b, prefixes] = "a" in req.data ? [req.data.a, req.data.b, ["/a", "/b"]] : [req.data.scenario, req.data.scenario, ["/scenario", "/scenario"]];
  for (const [s, prefix] of [[a, prefixes[0]], [b, prefixes[1]]] as const) {
    const v = validate(s);
    if (isProblem(v)) return problemResponse({ ...v, errors: v.errors.map((e) => ({ ...e, pointer: `${prefix}${e.pointer}` })) });
  }
  const versions = "versions" in req.data ? req.data.versions : undefined;
  const reply = await c.env.SANDBOX.diff(a, b, nanoid(), versions);
  if (!reply.ok) return problemResponse(reply.problem);
  if (c.req.query("format") === "text") return c.body(reply.text, 200, { "content-type": "text/plain; charset=utf-8" });
  return c.json(reply.diff);
});
app.all("/diff", methodNotAllowed("POST"));

// Generated once per isolate: the schemas do not change while it lives.
let openApiText: string | undefined;
app.get("/openapi.json", (c) => {
  openApiText ??= JSON.stringify(buildOpenApi(), null, 2);
  return c.body(openApiText, 200, { "content-type": "application/json" });
});
app.all("/openapi.json", methodNotAllowed("GET"));

app.get("/healthz", (c) => c.json({ ok: true }));
app.all("/healthz", methodNotAllowed("GET"));

app.notFound((c) => problemResponse(problem("not-found", 404, "Not found", `no route for ${c.req.path}`)));

// A throw here is our bug (or the sandbox failing), never the user's input.
app.onError((err) => problemResponse(internalProblem(err.message)));

export default app;

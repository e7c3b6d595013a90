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
import { decodeContentEncoding, decodeScenarioParam, type Unpacked } from "./codec.js";
import type { Env } from "./env.js";
import { buildOpenApi } from "./openapi.js";
import { PLAYGROUND_SCRIPT, PLAYGROUND_STYLE, playgroundPage } from "./playground.js";
import { internalProblem, parameterProblem, parseJsonBytes, problem, sandboxFailureProblem, validationProblem, type Problem } from "./problem.js";
import { parseScenarioText, scenarioTextProblem } from "./scenario-text.js";
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
  const raw = await readBody(c.req.raw, limit);
  if (!raw.ok) return raw.problem;
  const body = await decodeContentEncoding(raw.bytes, c.req.header("content-encoding") ?? null, limit);
  if (!body.ok) return encodingProblem(body, limit);
  if (new TextDecoder().decode(body.bytes).trim() === "") {
    return problem("empty-body", 400, "The body is empty", "send a scenario: JSON (application/json), or docker commands and flow lines (text/plain)");
  }
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
    if (!parsed.ok) return scenarioTextProblem(parsed);
    return parsed.value;
  }
  const json = parseJsonBytes(body.bytes);
  return json.ok ? json.value : json.problem;
}

/** A Content-Encoding we cannot undo (415), a corrupt one (400), or too much once inflated (413). */
function encodingProblem(failure: Extract<Unpacked, { ok: false }>, limit: number): Problem {
  if (failure.reason === "too-large") return problem("body-too-large", 413, "The body is too large", `the body must be at most ${limit} bytes once decompressed (Content-Encoding: ${failure.encoding})`);
  if (failure.reason === "corrupt") return problem("invalid-content-encoding", 400, "The body cannot be decompressed", `the body is not valid ${failure.encoding} data, as its Content-Encoding says`);
  return problem("unsupported-content-encoding", 415, "Unsupported Content-Encoding", `Content-Encoding "${failure.encoding}" is not supported; send the body as is, or gzip or deflate it`);
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
  if (matchesEtag(c, etag)) return new Response(null, { status: 304, headers });
  return respond(c, scenario, id, format, theme, headers);
}

/** If-None-Match (RFC 9110 13.1.2): "*" or one of the listed tags, weak or strong, matches. */
function matchesEtag(c: Ctx, etag: string): boolean {
  const inm = c.req.header("if-none-match");
  if (inm === undefined) return false;
  return inm.trim() === "*" || inm.split(",").some((t) => t.trim().replace(/^W\//, "") === etag);
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
  // The SVG is for <img> in docs: pinned to this release, so it may be cached forever.
  return c.json({ id, url: `${origin}/s/${id}`, embed: `${origin}/embed/${id}`, svg: `${origin}/s/${id}?format=svg&v=${VERSION}` }, existing === null ? 201 : 200);
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
  return respondCached(c, scenario, out.format, out.theme, shareCache(c));
});
app.all("/s/:id", methodNotAllowed("GET"));

/** A share's output changes with the nfplay release: immutable only when pinned with ?v=. */
function shareCache(c: Ctx): string {
  return c.req.query("v") === VERSION ? IMMUTABLE : SHORT;
}

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
  const etag = `"${rid}.embed.${theme}"`;
  if (matchesEtag(c, etag)) return new Response(null, { status: 304, headers: { etag, "cache-control": shareCache(c) } });
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
    "cache-control": shareCache(c),
    etag,
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
  const width = Math.min(800, positiveInt(c.req.query("maxwidth")) ?? 800);
  const height = Math.min(600, positiveInt(c.req.query("maxheight")) ?? 600);
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

/** oEmbed's maxwidth/maxheight: a positive number of pixels, or none (a consumer's 0 or junk is ignored). */
function positiveInt(text: string | undefined): number | undefined {
  const n = Math.floor(Number(text));
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** ?format= of /check and /diff: json (default) or text. */
function reportFormat(c: Ctx): "json" | "text" | Problem {
  const format = c.req.query("format") ?? "json";
  return format === "json" || format === "text" ? format : parameterProblem("format", `"${format}" is not one of json, text`);
}

/** An engine problem about /docker/version, when the version came from elsewhere (a parameter, /versions). */
function versionProblemAt(p: Problem, where: { parameter: string } | { pointer: string }): Problem {
  if (!p.errors.some((e) => e.pointer === "/docker/version")) return p;
  const errors = p.errors.map((e) => (e.pointer === "/docker/version" ? { ...e, ...("parameter" in where ? { pointer: "", parameter: where.parameter } : { pointer: where.pointer }) } : e));
  const at = "parameter" in where ? `query parameter "${where.parameter}"` : where.pointer;
  return { ...p, detail: p.detail.replace(/^\/docker\/version: /, `${at}: `), errors };
}

/** An engine problem of one side of /diff, its pointers under that side ("/a", "/b", "/scenario"). */
function problemUnder(p: Problem, prefix: string): Problem {
  const first = p.errors[0];
  const detail = first && first.parameter === undefined && p.detail.startsWith(`${first.pointer}: `) ? `${prefix}${p.detail}` : p.detail;
  return { ...p, detail, errors: p.errors.map((e) => (e.parameter !== undefined ? e : { ...e, pointer: `${prefix}${e.pointer}` })) };
}

// CI: the scenario's `expect` checked against its simulation; 200 either way, pass in the body.
app.post("/check", async (c) => {
  const format = reportFormat(c);
  if (isProblem(format)) return problemResponse(format);
  const dockerVersion = c.req.query("docker-version");
  if (dockerVersion !== undefined && !/^\d+(\.\d+){0,2}$/.test(dockerVersion)) return problemResponse(parameterProblem("docker-version", 'must be a Docker release such as "20.10" or "27"'));
  const value = await readScenarioValue(c);
  if (isProblem(value)) return problemResponse(value);
  const scenario = validate(value);
  if (isProblem(scenario)) return problemResponse(scenario);
  const reply = await c.env.SANDBOX.check(value, nanoid(), dockerVersion);
  if (!reply.ok) return problemResponse(dockerVersion === undefined ? reply.problem : versionProblemAt(reply.problem, { parameter: "docker-version" }));
  if (format === "text") return c.body(reply.report.text, 200, { "content-type": "text/plain; charset=utf-8" });
  return c.json({ pass: reply.report.pass, checks: reply.report.checks, failures: reply.report.failures, report: reply.report.text, summary: reply.summary });
});
app.all("/check", methodNotAllowed("POST"));

const version = z.string().regex(/^\d+(\.\d+){0,2}$/, 'must be a Docker release such as "20.10" or "27"');
const diffPairSchema = z.strictObject({ a: z.unknown(), b: z.unknown() });
const diffVersionsSchema = z.strictObject({ scenario: z.unknown(), versions: z.tuple([version, version]) });
type DiffRequest = z.output<typeof diffPairSchema> | z.output<typeof diffVersionsSchema>;
const DIFF_SHAPES = '{"a": SCENARIO, "b": SCENARIO} or {"scenario": SCENARIO, "versions": ["20.10", "27"]}';

/**
 * The body of /diff. The shape is chosen by its keys first, so a mistake is reported against
 * the shape the client meant (a missing "b", a one-element "versions"), not as a bare union failure.
 */
function parseDiffRequest(value: unknown): DiffRequest | Problem {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return problem("invalid-scenario", 400, "The diff request does not match the schema", "1 field is invalid", [{ pointer: "", message: `must be an object: ${DIFF_SHAPES}` }]);
  }
  const schema = "scenario" in value || "versions" in value ? diffVersionsSchema : diffPairSchema;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const p = validationProblem(parsed.error);
  // zod words a missing key of unknown type as "expected nonoptional, received undefined".
  return { ...p, errors: p.errors.map((e) => (/received undefined$/.test(e.message) ? { ...e, message: `is required: send ${DIFF_SHAPES}` } : e)) };
}

/** Which side of a failed diff the sandbox's problem belongs to: the first side is run again alone. */
async function locateDiffProblem(c: Ctx, req: DiffRequest, first: Scenario, p: Problem): Promise<Problem> {
  if (p.status >= 500) return p;
  if ("a" in req) {
    const alone = await c.env.SANDBOX.simulate(req.a, nanoid());
    return problemUnder(p, alone.ok ? "/b" : "/a");
  }
  const alone = await c.env.SANDBOX.simulate({ ...first, docker: { ...first.docker, version: req.versions[0] } }, nanoid());
  const side = alone.ok ? 1 : 0;
  const atVersion = versionProblemAt(p, { pointer: `/versions/${side}` });
  const detail = atVersion.detail.startsWith("/") && !atVersion.detail.startsWith("/versions/") ? `/scenario${atVersion.detail}` : atVersion.detail;
  return { ...atVersion, detail, errors: atVersion.errors.map((e) => (e.pointer.startsWith("/versions/") || e.parameter !== undefined ? e : { ...e, pointer: `/scenario${e.pointer}` })) };
}

// Two scenarios, or one under two Docker releases: the rule diff and what changed per flow.
app.post("/diff", async (c) => {
  const format = reportFormat(c);
  if (isProblem(format)) return problemResponse(format);
  const value = await readScenarioValue(c, 2 * LIMITS.bodyBytes);
  if (isProblem(value)) return problemResponse(value);
  const req = parseDiffRequest(value);
  if (isProblem(req)) return problemResponse(req);
  const [a, b, prefixes] = "a" in req ? [req.a, req.b, ["/a", "/b"]] : [req.scenario, req.scenario, ["/scenario", "/scenario"]];
  const valid: Scenario[] = [];
  for (const [s, prefix] of [[a, prefixes[0]!], [b, prefixes[1]!]] as const) {
    const v = validate(s);
    if (isProblem(v)) return problemResponse(problemUnder(v, prefix));
    valid.push(v);
  }
  const versions = "versions" in req ? req.versions : undefined;
  const reply = await c.env.SANDBOX.diff(a, b, nanoid(), versions);
  if (!reply.ok) return problemResponse(await locateDiffProblem(c, req, valid[0]!, reply.problem));
  if (format === "text") return c.body(reply.text, 200, { "content-type": "text/plain; charset=utf-8" });
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
app.onError((err) => {
  const p = sandboxFailureProblem(err);
  return problemResponse(p, p.status === 503 ? { "retry-after": "1" } : {});
});

export default app;

// The API worker: HTTP in, problem+json or a Result out. It validates and routes; scenarios
// run only in the sandbox worker, reached through the SANDBOX service binding. Nothing here
// imports the engine (test: src/api/isolation.test.ts).
import { Hono, type Context } from "hono";
import { nanoid } from "nanoid";
import { LIMITS, scenarioSchema } from "../scenario/schema.js";
// Only the names: rendering happens in the sandbox, like everything else of the engine.
import { FORMATS, isFormat } from "../scenario/formats.js";
import { readBody } from "./body.js";
import type { Env } from "./env.js";
import { buildOpenApi } from "./openapi.js";
import { internalProblem, parseJsonBytes, problem, validationProblem, type Problem } from "./problem.js";

type App = { Bindings: Env };

const app = new Hono<App>();

function problemResponse(p: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(p), {
    status: p.status,
    headers: { "content-type": "application/problem+json", ...headers },
  });
}

function methodNotAllowed(allow: string) {
  return (c: Context<App>) =>
    problemResponse(
      problem("method-not-allowed", 405, "Method not allowed", `${c.req.method} ${c.req.path} is not supported; use ${allow}`),
      { allow },
    );
}

app.post("/simulate", async (c) => {
  const format = c.req.query("format") ?? "json";
  if (!isFormat(format))
    return problemResponse(
      problem("invalid-format", 400, "Unknown format", `format must be one of ${FORMATS.join(", ")}`, [
        { pointer: "", message: `query parameter "format": "${format}" is not one of ${FORMATS.join(", ")}` },
      ]),
    );
  const body = await readBody(c.req.raw, LIMITS.bodyBytes);
  if (!body.ok) return problemResponse(body.problem);
  const json = parseJsonBytes(body.bytes);
  if (!json.ok) return problemResponse(json.problem);
  const parsed = scenarioSchema.safeParse(json.value);
  if (!parsed.success) return problemResponse(validationProblem(parsed.error));
  // The raw value goes over RPC: the sandbox validates it again as its own boundary.
  if (format !== "json") {
    const text = await c.env.SANDBOX.simulateText(json.value, nanoid(), format);
    return text.ok ? c.body(text.body, 200, { "content-type": text.contentType }) : problemResponse(text.problem);
  }
  const reply = await c.env.SANDBOX.simulate(json.value, nanoid());
  return reply.ok ? c.json(reply.result) : problemResponse(reply.problem);
});
app.all("/simulate", methodNotAllowed("POST"));

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

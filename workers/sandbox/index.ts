// The sandbox worker: the only place a user's scenario is simulated or rendered. It is reached
// only over the API worker's service binding (typed RPC), so a runaway scenario costs this
// isolate's CPU limit, never the API worker's.
import { WorkerEntrypoint } from "cloudflare:workers";
import { simulate } from "../../src/engine.js";
import { scenarioSchema, type Scenario } from "../../src/scenario/schema.js";
import { runEngine, type EngineReply } from "../../src/api/engine-reply.js";
import { validationProblem } from "../../src/api/problem.js";
import { render, type Format, type Theme } from "../../src/render/formats.js";
import { checkResult, type CheckReport } from "../../src/render/check.js";
import { diffResults, renderResultDiff, type ResultDiff } from "../../src/render/diff.js";

type Failure = Extract<EngineReply, { ok: false }>;
export type TextReply = { ok: true; contentType: string; body: string } | Failure;
export type CheckReply = { ok: true; report: CheckReport; summary: string } | Failure;
export type DiffReply = { ok: true; diff: ResultDiff; text: string } | Failure;

export interface TextOptions {
  theme?: Theme;
}

type Run = { ok: true; scenario: Scenario; reply: EngineReply } | Failure;

function run(scenario: unknown, id: string, dockerVersion?: string): Run {
  const parsed = scenarioSchema.safeParse(scenario);
  if (!parsed.success) return { ok: false, problem: validationProblem(parsed.error) };
  const data = dockerVersion ? { ...parsed.data, docker: { ...parsed.data.docker, version: dockerVersion } } : parsed.data;
  return { ok: true, scenario: data, reply: runEngine(() => simulate(data, { id })) };
}

export default class Sandbox extends WorkerEntrypoint {
  /**
   * Simulate a scenario. The API worker has already validated it; parsing again costs little
   * and keeps this boundary safe on its own, whoever calls it.
   */
  simulate(scenario: unknown, id: string): EngineReply {
    const r = run(scenario, id);
    return r.ok ? r.reply : r;
  }

  /** The result rendered (text, svg, html…): rendering stays out of the API worker too. */
  simulateText(scenario: unknown, id: string, format: Exclude<Format, "json">, options: TextOptions = {}): TextReply {
    const r = run(scenario, id);
    if (!r.ok) return r;
    return r.reply.ok ? { ok: true, ...render(r.reply.result, format, { scenario: r.scenario, theme: options.theme }) } : r.reply;
  }

  /** The scenario's `expect` checked against its simulation (optionally under another Docker release). */
  check(scenario: unknown, id: string, dockerVersion?: string): CheckReply {
    const r = run(scenario, id, dockerVersion);
    if (!r.ok) return r;
    if (!r.reply.ok) return r.reply;
    return { ok: true, report: checkResult(r.scenario, r.reply.result), summary: render(r.reply.result, "summary", { scenario: r.scenario }).body };
  }

  /** Rule and trace differences between two scenarios, or one under two Docker releases. */
  diff(a: unknown, b: unknown, id: string, versions?: [string, string]): DiffReply {
    const ra = run(a, id, versions?.[0]);
    if (!ra.ok) return ra;
    if (!ra.reply.ok) return ra.reply;
    const rb = run(b, id, versions?.[1]);
    if (!rb.ok) return rb;
    if (!rb.reply.ok) return rb.reply;
    const diff = diffResults(ra.reply.result, rb.reply.result);
    return { ok: true, diff, text: renderResultDiff(diff) };
  }

  /** No public route: anything reaching fetch() is a misconfiguration. */
  override fetch(): Response {
    return new Response(null, { status: 404 });
  }
}

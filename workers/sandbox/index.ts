// The sandbox worker: the only place a user's scenario is simulated. It is reached only over
// the API worker's service binding (typed RPC), so a runaway scenario costs this isolate's CPU
// limit, never the API worker's.
import { WorkerEntrypoint } from "cloudflare:workers";
import { simulate } from "../../src/engine.js";
import { scenarioSchema } from "../../src/scenario/schema.js";
import { runEngine, type EngineReply } from "../../src/api/engine-reply.js";
import { validationProblem } from "../../src/api/problem.js";
import { render, type Format } from "../../src/render/formats.js";

export type TextReply = { ok: true; contentType: string; body: string } | Extract<EngineReply, { ok: false }>;

export default class Sandbox extends WorkerEntrypoint {
  /**
   * Simulate a scenario. The API worker has already validated it; parsing again costs little
   * and keeps this boundary safe on its own, whoever calls it.
   */
  simulate(scenario: unknown, id: string): EngineReply {
    const parsed = scenarioSchema.safeParse(scenario);
    if (!parsed.success) return { ok: false, problem: validationProblem(parsed.error) };
    return runEngine(() => simulate(parsed.data, { id }));
  }

  /** The result rendered as text (iptables-save, trace): rendering stays out of the API worker too. */
  simulateText(scenario: unknown, id: string, format: Exclude<Format, "json">): TextReply {
    const reply = this.simulate(scenario, id);
    return reply.ok ? { ok: true, ...render(reply.result, format) } : reply;
  }

  /** No public route: anything reaching fetch() is a misconfiguration. */
  override fetch(): Response {
    return new Response(null, { status: 404 });
  }
}

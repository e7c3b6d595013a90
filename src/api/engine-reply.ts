// What the engine's hosts (the sandbox worker, the CLI's worker thread) send back to their
// caller. Errors lose their class and custom fields when they cross Workers RPC or a
// MessagePort, so the host turns them into a plain problem object before replying.
//
// The API worker imports only the *types* from here: the engine must never be bundled into it.
import { EngineError } from "../errors.js";
import type { SimulationResult } from "../result.js";
import { internalProblem, type Problem } from "./problem.js";

export type EngineReply = { ok: true; result: SimulationResult } | { ok: false; problem: Problem };

export function engineErrorToProblem(err: unknown): Problem {
  if (err instanceof EngineError) {
    return { type: err.type, title: err.title, status: err.status, detail: err.message, errors: err.errors };
  }
  // Anything else is a bug in the engine, not in the user's input.
  return internalProblem(err instanceof Error ? err.message : String(err));
}

/** Run the engine and fold any throw into a reply; never throws. */
export function runEngine(run: () => SimulationResult): EngineReply {
  try {
    return { ok: true, result: run() };
  } catch (err) {
    return { ok: false, problem: engineErrorToProblem(err) };
  }
}

// Runs one simulation in a fresh worker thread, bounded by wall-clock time. The engine's step
// budget should stop any scenario first; the timeout is the backstop that always works,
// because terminate() stops the thread wherever its JavaScript is.
import { Worker } from "node:worker_threads";
import * as Comlink from "comlink";
import nodeEndpoint from "comlink/dist/esm/node-adapter.mjs";
import type { EngineReply } from "../api/engine-reply.js";
import type { Scenario } from "../scenario/schema.js";
import type { EngineThreadApi } from "./engine-thread.js";

export type ThreadOutcome = EngineReply | { ok: false; timedOut: true } | { ok: false; crashed: Error };

const ENGINE_THREAD = new URL("./engine-thread.ts", import.meta.url);

/** `entry` is a module exposing EngineThreadApi; tests swap in a runaway one. */
export async function runInThread(
  scenario: Scenario,
  id: string,
  timeoutMs: number,
  entry: URL = ENGINE_THREAD,
): Promise<ThreadOutcome> {
  // Loader hooks are per thread: the worker registers tsx itself to load the .ts engine.
  const worker = new Worker(entry, {
    execArgv: ["--import", import.meta.resolve("tsx")],
  });
  const engine = Comlink.wrap<EngineThreadApi>(nodeEndpoint(worker));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ThreadOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, timedOut: true }), timeoutMs);
  });
  // A thread that dies (fails to load, runs out of memory) would leave comlink waiting forever.
  const crash = new Promise<ThreadOutcome>((resolve) => {
    worker.once("error", (err) => resolve({ ok: false, crashed: err }));
  });
  try {
    return await Promise.race([engine.simulate(scenario, id), timeout, crash]);
  } finally {
    clearTimeout(timer);
    // Always: a finished thread must not keep the process alive, a runaway one must stop.
    await worker.terminate();
  }
}

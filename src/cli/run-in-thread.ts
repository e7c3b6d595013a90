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

/**
 * One worker thread reused for many simulations (`nfplay check` of a docs tree: starting a
 * thread and loading the engine costs more than most simulations). A timeout or a crash ends
 * the thread; the next run starts a fresh one.
 */
export class EngineThread {
  private worker: Worker | null = null;
  private engine: Comlink.Remote<EngineThreadApi> | null = null;

  /** `entry` is a module exposing EngineThreadApi; tests swap in a runaway one. */
  constructor(private readonly entry: URL = ENGINE_THREAD) {}

  async run(scenario: Scenario, id: string, timeoutMs: number): Promise<ThreadOutcome> {
    if (!this.worker || !this.engine) {
      // Loader hooks are per thread: the worker registers tsx itself to load the .ts engine.
      this.worker = new Worker(this.entry, { execArgv: ["--import", import.meta.resolve("tsx")] });
      this.engine = Comlink.wrap<EngineThreadApi>(nodeEndpoint(this.worker));
    }
    const worker = this.worker;
    let timer: NodeJS.Timeout | undefined;
    let onError: ((err: Error) => void) | undefined;
    const timeout = new Promise<ThreadOutcome>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, timedOut: true }), timeoutMs);
    });
    // A thread that dies (fails to load, runs out of memory) would leave comlink waiting forever.
    const crash = new Promise<ThreadOutcome>((resolve) => {
      onError = (err) => resolve({ ok: false, crashed: err });
      worker.once("error", onError);
    });
    try {
      const outcome = await Promise.race([this.engine.simulate(scenario, id), timeout, crash]);
      if ("timedOut" in outcome || "crashed" in outcome) await this.close();
      return outcome;
    } finally {
      clearTimeout(timer);
      worker.off("error", onError!);
    }
  }

  /** Always called at the end: a finished thread must not keep the process alive. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.engine = null;
    await worker?.terminate();
  }
}

/** One simulation in its own thread. */
export async function runInThread(scenario: Scenario, id: string, timeoutMs: number, entry: URL = ENGINE_THREAD): Promise<ThreadOutcome> {
  const thread = new EngineThread(entry);
  try {
    return await thread.run(scenario, id, timeoutMs);
  } finally {
    await thread.close();
  }
}

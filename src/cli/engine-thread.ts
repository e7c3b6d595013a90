// Runs inside a worker_threads Worker: the engine lives here so the CLI's main thread can
// kill a runaway simulation with terminate(). comlink turns the MessagePort into calls.
import { parentPort } from "node:worker_threads";
import * as Comlink from "comlink";
import nodeEndpoint from "comlink/dist/esm/node-adapter.mjs";
import { simulate } from "../engine.js";
import type { Scenario } from "../scenario/schema.js";
import { runEngine, type EngineReply } from "../api/engine-reply.js";

const api = {
  simulate(scenario: Scenario, id: string): EngineReply {
    return runEngine(() => simulate(scenario, { id }));
  },
};

export type EngineThreadApi = typeof api;

if (parentPort === null) throw new Error("engine-thread.ts must run in a worker thread");
Comlink.expose(api, nodeEndpoint(parentPort));

// For tests: the EngineError (a 4xx) that a call throws; any other outcome fails the test.
import { EngineError } from "../src/errors.js";

export function engineErrorOf(fn: () => unknown, what = "the input"): EngineError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
  throw new Error(`${what} was accepted`);
}

// Errors the engine reports to callers; the API and CLI turn them into problem+json.
export interface FieldError {
  pointer: string;
  message: string;
}

export const PROBLEM_BASE = "https://nfplay.dev/problems/";

export class EngineError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly title: string,
    readonly errors: FieldError[],
    detail?: string,
  ) {
    super(detail ?? errors.map((e) => `${e.pointer}: ${e.message}`).join("; "));
  }
}

/** Valid JSON that describes something impossible (422). */
export function impossible(pointer: string, message: string): EngineError {
  return new EngineError(422, `${PROBLEM_BASE}impossible-scenario`, "The scenario cannot exist", [{ pointer, message }]);
}

/** Input that is well-formed JSON but cannot be read (a docker command line, saved rules). */
export function invalid(pointer: string, message: string): EngineError {
  return new EngineError(400, `${PROBLEM_BASE}invalid-input`, "Invalid input", [{ pointer, message }]);
}

export function budgetExceeded(limit: number): EngineError {
  return new EngineError(
    422,
    `${PROBLEM_BASE}budget-exceeded`,
    "Simulation budget exceeded",
    [{ pointer: "", message: `the simulation needed more than ${limit} rule evaluations` }],
  );
}

// RFC 9457 problem details: the one error shape of the HTTP API, the sandbox's RPC replies and
// the CLI's stderr. Pure code (no platform API) so the API worker, the sandbox and the CLI
// all produce byte-identical errors for the same input.
import { z } from "zod";

export const PROBLEM_BASE = "https://nfplay.dev/problems/";

export const problemSchema = z.object({
  type: z.string().describe("URI naming the kind of problem"),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  errors: z.array(
    z.object({
      pointer: z.string().describe("RFC 6901 JSON pointer into the request body"),
      parameter: z.string().describe("the query parameter at fault, for GET requests").optional(),
      message: z.string(),
    }),
  ),
});

export type Problem = z.output<typeof problemSchema>;
export type ProblemError = Problem["errors"][number];

export function problem(
  slug: string,
  status: number,
  title: string,
  detail: string,
  errors: ProblemError[] = [],
): Problem {
  return { type: PROBLEM_BASE + slug, title, status, detail, errors };
}

/** RFC 6901: "~" and "/" inside a reference token are escaped as "~0" and "~1". */
export function toPointer(path: readonly PropertyKey[]): string {
  return path.map((seg) => "/" + String(seg).replaceAll("~", "~0").replaceAll("/", "~1")).join("");
}

/**
 * One error per zod issue. An unknown key is reported at the key itself (zod reports it at
 * the enclosing object), so a client can highlight the exact offending field.
 */
export function issuesToErrors(issues: readonly z.core.$ZodIssue[]): ProblemError[] {
  return issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ pointer: toPointer([...issue.path, key]), message: `unknown key "${key}"` }));
    }
    return [{ pointer: toPointer(issue.path), message: issue.message }];
  });
}

export function validationProblem(error: z.ZodError): Problem {
  const errors = issuesToErrors(error.issues);
  const detail = errors.length === 1 ? "1 field is invalid" : `${errors.length} fields are invalid`;
  return problem("invalid-scenario", 400, "The scenario does not match the schema", detail, errors);
}

export function invalidJsonProblem(message: string): Problem {
  return problem("invalid-json", 400, "The body is not valid JSON", message);
}

export function tooLargeProblem(limit: number): Problem {
  return problem("body-too-large", 413, "The body is too large", `the body must be at most ${limit} bytes`);
}

/** A bad query parameter: 400 (or 413 when too large), naming the parameter. */
export function parameterProblem(parameter: string, message: string, status = 400): Problem {
  const title = status === 413 ? "A query parameter is too large" : "Invalid query parameter";
  return problem(status === 413 ? "parameter-too-large" : "invalid-parameter", status, title, `query parameter "${parameter}": ${message}`, [
    { pointer: "", parameter, message: `query parameter "${parameter}": ${message}` },
  ]);
}

export function internalProblem(detail: string): Problem {
  return problem("internal", 500, "The simulator failed", detail);
}

/**
 * A throw out of the sandbox call itself (not an engine reply): the platform killing the
 * isolate for CPU or memory is the scenario doing too much work (422, like the engine's own
 * budget); a restarted or overloaded isolate is transient (503, retry); anything else is ours (500).
 */
export function sandboxFailureProblem(err: unknown): Problem {
  const message = err instanceof Error ? err.message : String(err);
  if (/exceeded (its )?CPU|CPU time limit|exceeded.*memory|memory limit|exceeded resource limits/i.test(message)) {
    return problem("budget-exceeded", 422, "Simulation budget exceeded", `the simulation used more than the sandbox allows (${message})`, [{ pointer: "", message: "the scenario needs too much work: fewer containers, ports or flows" }]);
  }
  if (/restarted mid-request|Network connection lost|overloaded|too many requests|Service Unavailable/i.test(message)) {
    return problem("sandbox-unavailable", 503, "The simulator is briefly unavailable", `${message}; send the request again`);
  }
  return internalProblem(message);
}

export type Parsed = { ok: true; value: unknown } | { ok: false; problem: Problem };

/**
 * Parse a body's bytes as UTF-8 JSON, or a 400 problem; never throws. Invalid UTF-8 is an
 * error rather than silently replaced, so a mangled upload is not simulated as something else.
 */
export function parseJsonBytes(bytes: Uint8Array): Parsed {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return { ok: false, problem: invalidJsonProblem("the body is not valid UTF-8") };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, problem: invalidJsonProblem(err instanceof Error ? err.message : String(err)) };
  }
}

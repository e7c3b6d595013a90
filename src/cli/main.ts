// `nfplay simulate FILE|-`: the same validation and problem+json as POST /simulate, with the
// engine in a worker thread. Exit codes: 0 result on stdout; 2 invalid input (problem on
// stderr, as the API's 400/413/422); 3 timeout; 1 internal error; 64 usage error.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { nanoid } from "nanoid";
import { LIMITS, scenarioSchema } from "../scenario/schema.js";
import { internalProblem, parseJsonBytes, problem, tooLargeProblem, validationProblem, type Problem } from "../api/problem.js";
import { runInThread } from "./run-in-thread.js";
import { FORMATS, isFormat, render, type Format } from "../render/formats.js";

export const EXIT = { ok: 0, internal: 1, invalid: 2, timeout: 3, usage: 64 } as const;

const USAGE = `usage: nfplay simulate [--timeout MS] [--format F] FILE|-

  FILE        a scenario as JSON (see README.md); "-" reads standard input
  --timeout   wall-clock limit for the simulation in milliseconds (default 10000)
  --format    ${FORMATS.join(" | ")} (default json): the result, the rules as
              iptables-save prints them, or the traces as xtables-monitor --trace prints them

Prints the result JSON on stdout. Invalid input prints application/problem+json on stderr
and exits 2; a timeout exits 3.`;

interface Options {
  file: string;
  timeoutMs: number;
  format: Format;
}

export async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  if (typeof options === "string") {
    process.stderr.write(options === "help" ? USAGE + "\n" : `nfplay: ${options}\n${USAGE}\n`);
    return options === "help" ? EXIT.ok : EXIT.usage;
  }
  return simulateCommand(options);
}

/** The options, or a message for a usage error ("help" when help was asked for). */
function parseOptions(argv: string[]): Options | string {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { timeout: { type: "string", default: "10000" }, format: { type: "string", default: "json" }, help: { type: "boolean", short: "h" } },
    });
  } catch (err) {
    return (err as Error).message;
  }
  if (parsed.values.help) return "help";
  const [command, file, ...extra] = parsed.positionals;
  if (command !== "simulate") return command === undefined ? "missing command" : `unknown command "${command}"`;
  if (file === undefined || extra.length > 0) return "simulate takes exactly one FILE (or - for stdin)";
  const timeoutMs = Number(parsed.values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) return "--timeout must be a positive integer (milliseconds)";
  const format = parsed.values.format ?? "json";
  if (!isFormat(format)) return `--format must be one of ${FORMATS.join(", ")}`;
  return { file, timeoutMs, format };
}

async function simulateCommand({ file, timeoutMs, format }: Options): Promise<number> {
  const input = await readInput(file);
  if (input === null) return EXIT.usage;
  if (!(input instanceof Uint8Array)) return fail(input);
  const json = parseJsonBytes(input);
  if (!json.ok) return fail(json.problem);
  const parsed = scenarioSchema.safeParse(json.value);
  if (!parsed.success) return fail(validationProblem(parsed.error));

  const outcome = await runInThread(parsed.data, nanoid(), timeoutMs);
  if (outcome.ok) {
    process.stdout.write(render(outcome.result, format).body);
    return EXIT.ok;
  }
  if ("timedOut" in outcome) {
    return fail(problem("timeout", 422, "The simulation took too long", `stopped after --timeout ${timeoutMs} ms`), EXIT.timeout);
  }
  if ("crashed" in outcome) return fail(internalProblem(outcome.crashed.message));
  return fail(outcome.problem);
}

/** Print a problem on stderr; 4xx problems are the user's input (exit 2), others ours (1). */
function fail(p: Problem, code?: number): number {
  process.stderr.write(JSON.stringify(p, null, 2) + "\n");
  return code ?? (p.status >= 400 && p.status < 500 ? EXIT.invalid : EXIT.internal);
}

/**
 * The input text, a 413 problem when it exceeds the API's body limit (same input, same
 * answer as the API), or null after reporting an unreadable file.
 */
async function readInput(file: string): Promise<Uint8Array | Problem | null> {
  let bytes: Buffer;
  try {
    bytes = file === "-" ? await readStdin(LIMITS.bodyBytes) : await readFile(file);
  } catch (err) {
    process.stderr.write(`nfplay: cannot read ${file}: ${(err as Error).message}\n`);
    return null;
  }
  if (bytes.byteLength > LIMITS.bodyBytes) return tooLargeProblem(LIMITS.bodyBytes);
  return bytes;
}

/** Stdin, stopping one byte past the limit: enough to know it is too large. */
async function readStdin(limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    total += chunk.byteLength;
    if (total > limit) break;
  }
  return Buffer.concat(chunks);
}

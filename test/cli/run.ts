// Spawning the real `nfplay` bin, as a user runs it (shebang, the Node `npm ci` installed).
import { spawn } from "node:child_process";

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function nfplay(args: string[], stdin?: string, cwd?: string): Promise<Run> {
  const started = performance.now();
  const child = spawn(new URL("../../bin/nfplay.js", import.meta.url).pathname, args, { stdio: ["pipe", "pipe", "pipe"], cwd });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  child.stdin.end(stdin ?? "");
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

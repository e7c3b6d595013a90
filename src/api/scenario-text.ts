// A scenario as people write it in docs and in the playground: JSON, or a short text of docker
// commands and flows:
//
//   docker network create app            # any `docker` / `dockerd` line: the commands
//   docker run -d --name web --network app -p 8080:80 nginx
//   iptables -I DOCKER-USER -i eth0 ! -s 192.168.1.1 -j DROP   # your own rules, in order
//   flow internet to web: external -> host:8080 tcp   # flow [NAME:] FROM -> TO [PROTO]
//   docker-version 20.10                  # the Docker release (optional)
//
// `$ ` prompts, `\` continuations and `#` comments are allowed. The output is the raw scenario
// (validated by the caller with the schema), or an error naming the line.
import { problem, type Problem } from "./problem.js";

export type TextParse = { ok: true; value: unknown } | { ok: false; line: number; message: string };

const FLOW = /^flow\s+(?:(.+?):\s+)?(\S+)\s*->\s*(\S+)(?:\s+(tcp|udp|sctp|icmp))?$/;

export function parseScenarioText(text: string): TextParse {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    try {
      return { ok: true, value: JSON.parse(trimmed) };
    } catch (err) {
      return { ok: false, line: 1, message: `invalid JSON: ${(err as Error).message}` };
    }
  }
  const commands: string[] = [];
  const flows: Record<string, string>[] = [];
  let version: string | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const at = i + 1;
    let line = lines[i]!.trim();
    while (line.endsWith("\\") && i + 1 < lines.length) line = `${line.slice(0, -1).trimEnd()} ${lines[++i]!.trim()}`;
    line = line.replace(/^\$\s+/, "");
    if (line === "" || line.startsWith("#")) continue;
    if (/^(sudo\s+)?(docker|dockerd|ip6?tables(-legacy|-nft)?)\s/.test(line)) commands.push(line.replace(/^sudo\s+/, ""));
    else if (line.startsWith("flow ")) {
      const m = FLOW.exec(line.replace(/\s+#.*$/, ""));
      if (!m) return { ok: false, line: at, message: `expected "flow [NAME:] FROM -> TO [PROTO]", got "${line}"` };
      flows.push({ ...(m[1] ? { name: m[1] } : {}), from: m[2]!, to: m[3]!, ...(m[4] ? { proto: m[4] } : {}) });
    } else if (/^docker-version\s+/.test(line)) version = line.split(/\s+/)[1];
    else return { ok: false, line: at, message: `expected a docker command, "flow ..." or "docker-version ...", got "${line}"` };
  }
  return { ok: true, value: { ...(version ? { docker: { version } } : {}), ...(commands.length ? { commands } : {}), ...(flows.length ? { flows } : {}) } };
}

/**
 * The 400 for text that cannot be read, the same from the API and the CLI. The JSON pointer is
 * the whole document (the text has no JSON structure); the message names the line.
 */
export function scenarioTextProblem(failure: { line: number; message: string }): Problem {
  const message = `line ${failure.line}: ${failure.message}`;
  return problem("invalid-scenario-text", 400, "The scenario text cannot be read", message, [{ pointer: "", message }]);
}

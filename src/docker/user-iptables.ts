// The user's own iptables/ip6tables commands (commands: "iptables -I DOCKER-USER …", or
// host.iptables) run through the same interpreter as dockerd's, on the host's ruleset, and are
// logged in rules.host.commands beside Docker's, marked as the user's. iptables' own error
// (no such chain, a bad rule) is a 422 at the command.
import { impossible } from "../errors.js";
import { applyCommand } from "../netfilter/interpreter.js";
import { Ruleset } from "../netfilter/ruleset.js";
import type { DockerHost } from "./model.js";

export interface UserIptables {
  at: string;
  binary: "iptables" | "ip6tables";
  argv: string[];
}

export function applyUserIptables(host: DockerHost, cmd: UserIptables): void {
  // Without dockerd's ip6tables the host still has an ip6tables ruleset: the user's own.
  if (cmd.binary === "ip6tables" && !host.ruleset6) host.ruleset6 = new Ruleset("ipv6");
  const ruleset = cmd.binary === "ip6tables" ? host.ruleset6! : host.ruleset;
  const res = applyCommand(ruleset, cmd.argv);
  if (!res.ok) throw impossible(cmd.at, res.error ?? `${cmd.binary} failed`);
  host.commands.push(`${cmd.binary} ${cmd.argv.join(" ")}   # user (${cmd.at})`);
}

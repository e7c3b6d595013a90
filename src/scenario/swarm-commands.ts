// `docker swarm init`, `docker swarm join` and `docker service create` lines -> the scenario's
// `swarm` section (src/docker/swarm/). A tutorial's lines are run on several hosts; nfplay reads
// them in order: `swarm init` makes node1 (a manager), each `swarm join` the next node ("node2",
// ...; a manager with a manager token is not distinguishable from the line: use the JSON form for
// that). The nodes' addresses come from --advertise-addr (a /24 LAN unless given as a CIDR).
// `docker network create -d overlay` stays an ordinary network operation (commands.ts).
//
// Imported with `import type` only by commands.ts' dispatch table, so there is no import cycle.
import { invalid } from "../errors.js";
import type { CommandContext, CommandHandler } from "./commands.js";
import { swarmSchema, type SwarmSpec } from "./schema.js";

type Kind = "bool" | "value" | "list";

const INIT_FLAGS: Record<string, Kind> = {
  "--advertise-addr": "value", "--listen-addr": "value", "--data-path-addr": "value", "--data-path-port": "value",
  "--default-addr-pool": "list", "--default-addr-pool-mask-length": "value", "--force-new-cluster": "bool", "--autolock": "bool",
  "--availability": "value", "--task-history-limit": "value",
};
const JOIN_FLAGS: Record<string, Kind> = {
  "--advertise-addr": "value", "--listen-addr": "value", "--data-path-addr": "value", "--token": "value", "--availability": "value",
};
const SERVICE_FLAGS: Record<string, Kind> = {
  "--name": "value", "--replicas": "value", "-p": "list", "--publish": "list", "--network": "list", "--constraint": "list",
  "-d": "bool", "--detach": "bool", "-q": "bool", "--quiet": "bool", "--no-resolve-image": "bool", "--mode": "value",
  "-e": "list", "--env": "list", "-l": "list", "--label": "list", "--mount": "list", "--endpoint-mode": "value",
  "--hostname": "value", "-u": "value", "--user": "value", "-w": "value", "--workdir": "value", "--restart-condition": "value",
};

function parse(args: string[], table: Record<string, Kind>, at: string, what: string): { flags: Map<string, string[]>; positional: string[] } {
  const flags = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (positional.length > 0 || !a.startsWith("-")) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = eq > 0 ? a.slice(0, eq) : a;
    const kind = table[name];
    if (!kind) throw invalid(at, `${what}: unknown flag: ${name}`);
    const value = kind === "bool" ? (eq > 0 ? a.slice(eq + 1) : "true") : eq > 0 ? a.slice(eq + 1) : args[++i];
    if (value === undefined) throw invalid(at, `${what}: flag needs an argument: ${name}`);
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { flags, positional };
}

const last = (p: { flags: Map<string, string[]> }, name: string) => p.flags.get(name)?.at(-1);

/** The swarm being described, kept on the importer's output. */
function swarmOf(ctx: CommandContext): SwarmSpec & { services: NonNullable<SwarmSpec["services"]> } {
  const out = ctx.out as CommandContext["out"] & { swarm?: SwarmSpec };
  out.swarm ??= { nodes: [], services: [] };
  out.swarm.services ??= [];
  return out.swarm as SwarmSpec & { services: NonNullable<SwarmSpec["services"]> };
}

function address(p: { flags: Map<string, string[]> }, at: string, what: string): string {
  const a = last(p, "--advertise-addr");
  if (!a) throw invalid(at, `${what}: nfplay needs --advertise-addr (the node's address on the LAN)`);
  const bare = a.replace(/:\d+$/, "");
  if (!/^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/.test(bare)) throw invalid(at, `${what}: --advertise-addr "${a}" must be an IPv4 address (an interface name is not resolved)`);
  return bare.includes("/") ? bare : `${bare}/24`;
}

function init(args: string[], ctx: CommandContext): void {
  const p = parse(args, INIT_FLAGS, ctx.at, "docker swarm init");
  if (p.positional.length) throw invalid(ctx.at, `docker swarm init: unexpected argument "${p.positional[0]}"`);
  if (p.flags.has("--default-addr-pool")) throw invalid(ctx.at, "docker swarm init --default-addr-pool is not simulated yet");
  const swarm = swarmOf(ctx);
  if (swarm.nodes.length) throw invalid(ctx.at, "this node is already part of a swarm: one docker swarm init per scenario");
  swarm.nodes.push({ name: "node1", address: address(p, ctx.at, "docker swarm init"), role: "manager" });
}

function join(args: string[], ctx: CommandContext): void {
  const p = parse(args, JOIN_FLAGS, ctx.at, "docker swarm join");
  if (p.positional.length !== 1) throw invalid(ctx.at, "docker swarm join needs the manager's HOST:PORT");
  const swarm = swarmOf(ctx);
  if (!swarm.nodes.length) throw invalid(ctx.at, "docker swarm join before docker swarm init: no swarm to join");
  swarm.nodes.push({ name: `node${swarm.nodes.length + 1}`, address: address(p, ctx.at, "docker swarm join"), role: "worker" });
}

function serviceCreate(args: string[], ctx: CommandContext): void {
  const p = parse(args, SERVICE_FLAGS, ctx.at, "docker service create");
  if (p.positional.length === 0) throw invalid(ctx.at, "docker service create needs an image");
  const swarm = swarmOf(ctx);
  if (!swarm.nodes.length) throw invalid(ctx.at, "docker service create needs a swarm: docker swarm init first");
  if (last(p, "--mode") && last(p, "--mode") !== "replicated") throw invalid(ctx.at, `docker service create --mode ${last(p, "--mode")} is not simulated yet`);
  if (last(p, "--endpoint-mode") === "dnsrr") throw invalid(ctx.at, "docker service create --endpoint-mode dnsrr is not simulated yet");
  if (p.flags.has("--constraint")) throw invalid(ctx.at, "docker service create --constraint is not simulated yet: use placement in the JSON form");
  const replicas = Number(last(p, "--replicas") ?? "1");
  if (!Number.isInteger(replicas) || replicas < 0) throw invalid(ctx.at, `docker service create: invalid --replicas "${last(p, "--replicas")}"`);
  const publish = [...(p.flags.get("-p") ?? []), ...(p.flags.get("--publish") ?? [])].map((spec) => publishOf(spec, ctx.at));
  const image = p.positional[0]!;
  const name = last(p, "--name") ?? ((image.split("/").pop() ?? image).split(/[:@]/)[0] || "service");
  swarm.services.push({
    name, replicas, ...(publish.length ? { publish } : {}),
    ...(p.flags.has("--network") ? { networks: p.flags.get("--network")! } : {}),
  });
}

/** "8080:80", "8080:80/udp" or the long form "published=8080,target=80,protocol=udp,mode=host". */
function publishOf(spec: string, at: string): NonNullable<SwarmSpec["services"]>[number]["publish"] extends (infer T)[] | undefined ? T : never {
  if (!spec.includes("=")) return spec;
  const kv = Object.fromEntries(spec.split(",").map((x) => x.split("=") as [string, string]));
  const published = Number(kv.published), target = Number(kv.target);
  if (!published || !target) throw invalid(at, `--publish "${spec}": published= and target= are needed`);
  const protocol = kv.protocol ?? "tcp";
  if (protocol !== "tcp" && protocol !== "udp") throw invalid(at, `--publish "${spec}": protocol must be tcp or udp`);
  const mode = kv.mode ?? "ingress";
  if (mode !== "ingress" && mode !== "host") throw invalid(at, `--publish "${spec}": mode must be ingress or host`);
  return { published, target, protocol, mode };
}

export const SWARM_COMMANDS: Record<string, CommandHandler> = {
  "swarm init": init,
  "swarm join": join,
  "service create": serviceCreate,
  "node ls": () => {},
  "service ls": () => {},
  "service ps": () => {},
};

/** The scenario's swarm with the one its commands describe (validated like the JSON form). */
export function swarmFromCommands(json: SwarmSpec | undefined, imported: SwarmSpec | undefined): { swarm?: SwarmSpec } {
  if (!imported) return json ? { swarm: json } : {};
  if (json) throw invalid("/commands", "the swarm is described twice: by the swarm section and by docker swarm commands");
  const parsed = swarmSchema.safeParse(imported);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid("/commands", `the swarm the commands describe is invalid: ${issue.path.join("/")}: ${issue.message}`);
  }
  return { swarm: parsed.data };
}

// A tutorial's shell lines (`dockerd --icc=false`, `docker network create`, `docker run -p`,
// `docker stop`, `docker network rm` …) -> the daemon's flags and the operations in order, which
// src/docker/lifecycle.ts applies after the scenario's JSON networks and containers. Unknown
// flags are errors (400) that name them; what Docker itself refuses is a 422 from the lifecycle.
import { parse } from "shell-quote";
import { impossible as refuse, invalid as impossible } from "../errors.js";
import type { LifecycleOp } from "../docker/lifecycle.js";
import type { ContainerSpec, DaemonSpec, NetworkSpec, Scenario, SwarmSpec } from "./schema.js";
import { SWARM_COMMANDS, swarmFromCommands } from "./swarm-commands.js";
import { checkDaemon, checkOp } from "./commands-check.js";
import { hostIptablesOps, IPTABLES, iptablesOp, refusePastedHost } from "./iptables-commands.js";

type FlagKind = "bool" | "value" | "list";

interface Parsed {
  flags: Map<string, string[]>;
  positional: string[];
}

const RUN_FLAGS: Record<string, FlagKind> = {
  "-d": "bool", "--detach": "bool", "-i": "bool", "--interactive": "bool", "-t": "bool", "--tty": "bool",
  "--rm": "bool", "--privileged": "bool", "--init": "bool", "-P": "bool", "--publish-all": "bool", "--read-only": "bool",
  "--name": "value", "--network": "value", "--net": "value", "--ip": "value", "--ip6": "value", "--hostname": "value", "-h": "value",
  "--entrypoint": "value", "-w": "value", "--workdir": "value", "-u": "value", "--user": "value", "--restart": "value",
  "--memory": "value", "-m": "value", "--cpus": "value", "--platform": "value", "--pull": "value", "--stop-signal": "value",
  "-p": "list", "--publish": "list", "--expose": "list", "-e": "list", "--env": "list", "-v": "list", "--volume": "list",
  "-l": "list", "--label": "list", "--cap-add": "list", "--cap-drop": "list", "--dns": "list", "--add-host": "list",
  "--env-file": "list", "--mount": "list", "--tmpfs": "list", "--network-alias": "list", "--ulimit": "list",
  "--mac-address": "value", "--link": "list",
};

const NETWORK_FLAGS: Record<string, FlagKind> = {
  "-d": "value", "--driver": "value", "--subnet": "list", "--gateway": "list", "--ip-range": "value",
  "--internal": "bool", "--ipv6": "bool", "--attachable": "bool", "-o": "list", "--opt": "list", "--label": "list",
};

const DAEMON_FLAGS: Record<string, FlagKind> = {
  "--bip": "value", "--fixed-cidr": "value", "--mtu": "value", "--ip": "value", "--iptables": "bool",
  "--ip6tables": "bool", "--ip-forward": "bool", "--ip-masq": "bool", "--icc": "bool", "--userland-proxy": "bool",
  "--experimental": "bool", "--debug": "bool", "-D": "bool", "--firewall-backend": "value",
  "--bridge": "value", "-b": "value", "--ip-forward-no-drop": "bool", "--allow-direct-routing": "bool",
  "--ipv6": "bool", "--fixed-cidr-v6": "value",
  "--default-address-pool": "list", "--default-network-opt": "list", "--userland-proxy-path": "value",
  "--network-control-plane-mtu": "value", "--bip6": "value", "--default-gateway": "value", "--default-gateway-v6": "value",
  "--bridge-accept-fwmark": "value",
};

function parseFlags(args: string[], table: Record<string, FlagKind>, at: string, what: string): Parsed {
  const flags = new Map<string, string[]>();
  const positional: string[] = [];
  const add = (k: string, v: string) => flags.set(k, [...(flags.get(k) ?? []), v]);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (positional.length > 0 || !a.startsWith("-") || a === "-") {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = eq > 0 ? a.slice(0, eq) : a;
    const kind = table[name];
    // pflag shorthands: "-dit", a value attached ("-p8080:80", "-eFOO=bar", "-dp8080:80") or next.
    if (kind === undefined && /^-[a-zA-Z]./.test(a)) {
      for (let k = 1; k < a.length; k++) {
        const short = `-${a[k]}`;
        const shortKind = table[short];
        if (shortKind === undefined) throw impossible(at, `${what}: unknown shorthand flag: '${a[k]}' in ${a}`);
        if (shortKind === "bool") {
          add(short, "true");
          continue;
        }
        const v = k + 1 < a.length ? a.slice(k + 1).replace(/^=/, "") : args[++i];
        if (v === undefined) throw impossible(at, `${what}: flag needs an argument: '${a[k]}' in ${a}`);
        add(short, v);
        break;
      }
      continue;
    }
    if (kind === undefined) throw impossible(at, `${what}: unknown flag: ${name}`);
    if (kind === "bool") add(name, eq > 0 ? a.slice(eq + 1) : "true");
    else {
      const v = eq > 0 ? a.slice(eq + 1) : args[++i];
      if (v === undefined) throw impossible(at, `${what}: flag needs an argument: ${name}`);
      add(name, v);
    }
  }
  return { flags, positional };
}

function get(p: Parsed, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = p.flags.get(n);
    if (v) return v[v.length - 1];
  }
  return undefined;
}

function all(p: Parsed, ...names: string[]): string[] {
  return names.flatMap((n) => p.flags.get(n) ?? []);
}

function bool(v: string | undefined, at: string): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  throw impossible(at, `invalid boolean "${v}"`);
}

function tokens(line: string, at: string): string[] {
  const out = parse(line);
  return out.map((t) => {
    if (typeof t !== "string") throw impossible(at, "shell operators (pipes, redirections, &&, $(...)) are not supported; give one command per line");
    return t;
  });
}

export interface Imported {
  daemon: DaemonSpec;
  /** What the docker commands do, in order (applied by src/docker/lifecycle.ts after the JSON part). */
  ops: LifecycleOp[];
  /** docker swarm init/join, docker service create (src/scenario/swarm-commands.ts). */
  swarm?: SwarmSpec;
  /** Lines that run a container on the default bridge with --link (see withCommands). */
  linked?: string[];
}

/** What a subcommand handler gets: its arguments (after e.g. "docker network rm") and where to put its effect. */
export interface CommandContext {
  out: Imported;
  at: string;
  /** The image-derived name of an unnamed container ("nginx", "nginx-2"). */
  autoName: (image: string) => string;
}

export type CommandHandler = (args: string[], ctx: CommandContext) => void;

const IGNORED: CommandHandler = () => {};

// One entry per docker subcommand ("network rm", "stop"); the longest match wins. Commands of
// other areas live in their own module, exporting a table of the same type (import it with
// `import type { CommandHandler }` only, so no import cycle) spread in here.
const CORE: Record<string, CommandHandler> = {
  run: (a, c) => createContainer(a, c, true),
  create: (a, c) => createContainer(a, c, false),
  start: (a, c) => perContainer(a, c, START_FLAGS, "docker start", (name) => ({ op: "start", at: c.at, name })),
  stop: (a, c) => perContainer(a, c, STOP_FLAGS, "docker stop", (name) => ({ op: "stop", at: c.at, name })),
  restart: (a, c) => perContainer(a, c, STOP_FLAGS, "docker restart", (name) => ({ op: "restart", at: c.at, name })),
  kill: (a, c) => perContainer(a, c, KILL_FLAGS, "docker kill", (name) => ({ op: "kill", at: c.at, name })),
  rm: (a, c) => removeContainers(a, c),
  "network create": (a, c) => c.out.ops.push({ op: "network create", at: c.at, spec: network(a, c.at) }),
  "network connect": (a, c) => connect(a, c),
  "network disconnect": (a, c) => disconnect(a, c),
  "network rm": (a, c) => removeNetworks(a, c),
  pull: IGNORED, ps: IGNORED, inspect: IGNORED, logs: IGNORED, images: IGNORED, version: IGNORED, info: IGNORED,
  "network ls": IGNORED, "network inspect": IGNORED, "network prune": unsupported("docker network prune"),
  exec: unsupported("docker exec (what runs inside a container is not simulated: describe a connection as a flow)"),
};

function unsupported(what: string): CommandHandler {
  return (_a, c) => {
    throw impossible(c.at, `"${what}" is not supported yet`);
  };
}

// `docker container X` is `docker X` (and `docker network remove` is `docker network rm`).
const ALIASES: Record<string, string> = {
  "container run": "run", "container create": "create", "container start": "start", "container stop": "stop",
  "container restart": "restart", "container kill": "kill", "container rm": "rm", "container remove": "rm",
  "container ls": "ps", "container list": "ps", "container inspect": "inspect", "container logs": "logs", "container exec": "exec",
  "network remove": "network rm", "image pull": "pull",
};

export const COMMANDS: Record<string, CommandHandler> = { ...CORE, ...SWARM_COMMANDS };

/** The handler of `docker ARGV...` and how many words its name has. */
function lookup(words: string[]): { handler: CommandHandler; used: number } | null {
  for (const used of [2, 1]) {
    if (words.length < used) continue;
    const key = words.slice(0, used).join(" ");
    const name = ALIASES[key] ?? key;
    const handler = COMMANDS[name];
    if (handler) return { handler, used };
  }
  return null;
}

export function importCommands(lines: string[]): Imported {
  const out: Imported = { daemon: {}, ops: [] };
  const taken = new Map<string, number>();
  // Docker names an unnamed container at random ("festive_hopper"); nfplay uses the image's
  // name instead, so a flow can refer to it: "nginx:1.27" -> "nginx", then "nginx-2".
  const autoName = (image: string) => {
    const base = (image.split("/").pop() ?? image).split(/[:@]/)[0]!.replace(/[^a-zA-Z0-9_.-]/g, "") || "container";
    const n = (taken.get(base) ?? 0) + 1;
    taken.set(base, n);
    return n === 1 ? base : `${base}-${n}`;
  };
  lines.forEach((line, i) => {
    const at = `/commands/${i}`;
    const argv = tokens(line.trim().replace(/^sudo\s+/, ""), at);
    if (argv.length === 0 || argv[0]!.startsWith("#")) return;
    if (argv[0] === "dockerd") {
      daemonFlags(out, argv.slice(1), at);
      return checkDaemon(out.daemon, at);
    }
    if (IPTABLES.test(argv[0]!)) {
      const op = iptablesOp(argv, at);
      if (op) out.ops.push(op);
      return;
    }
    if (argv[0] !== "docker") throw impossible(at, `not a docker or iptables command: "${argv[0]}"`);
    const found = lookup(argv.slice(1));
    if (!found) {
      const [cmd, sub] = argv.slice(1);
      throw impossible(at, `"docker ${[cmd, sub].filter(Boolean).join(" ")}" is not supported yet (supported: ${Object.keys(COMMANDS).sort().join(", ")})`);
    }
    const before = out.ops.length;
    found.handler(argv.slice(1 + found.used), { out, at, autoName });
    out.ops.slice(before).forEach(checkOp);
  });
  return out;
}

const START_FLAGS: Record<string, FlagKind> = { "-a": "bool", "--attach": "bool", "-i": "bool", "--interactive": "bool" };
const STOP_FLAGS: Record<string, FlagKind> = { "-t": "value", "--time": "value", "-s": "value", "--signal": "value" };
const KILL_FLAGS: Record<string, FlagKind> = { "-s": "value", "--signal": "value" };
const RM_FLAGS: Record<string, FlagKind> = { "-f": "bool", "--force": "bool", "-v": "bool", "--volumes": "bool", "-l": "bool", "--link": "bool" };
const DISCONNECT_FLAGS: Record<string, FlagKind> = { "-f": "bool", "--force": "bool" };
const NETWORK_RM_FLAGS: Record<string, FlagKind> = { "-f": "bool", "--force": "bool" };

function createContainer(args: string[], ctx: CommandContext, start: boolean): void {
  const spec = container(args, ctx.at, ctx.autoName);
  const flags = parseFlags(args, RUN_FLAGS, ctx.at, "docker run").flags;
  const autoRemove = flags.has("--rm");
  if (flags.has("--link") && (spec.network ?? "bridge") === "bridge") (ctx.out.linked ??= []).push(ctx.at);
  ctx.out.ops.push({ op: "create", at: ctx.at, spec, start, ...(autoRemove ? { autoRemove } : {}) });
}

/** docker start/stop/restart/kill NAME...: one operation per container, in the order given. */
function perContainer(args: string[], ctx: CommandContext, flags: Record<string, FlagKind>, what: string, op: (name: string) => LifecycleOp): void {
  const p = parseFlags(args, flags, ctx.at, what);
  if (p.positional.length === 0) throw impossible(ctx.at, `"${what}" requires at least 1 argument`);
  if (what === "docker kill" && get(p, "-s", "--signal") && !/^(SIG)?KILL$|^9$/.test(get(p, "-s", "--signal")!))
    throw impossible(ctx.at, "docker kill --signal other than KILL does not stop the container; only KILL is simulated");
  for (const name of p.positional) ctx.out.ops.push(op(name));
}

function removeContainers(args: string[], ctx: CommandContext): void {
  const p = parseFlags(args, RM_FLAGS, ctx.at, "docker rm");
  if (p.positional.length === 0) throw impossible(ctx.at, "\"docker rm\" requires at least 1 argument");
  const force = bool(get(p, "-f", "--force"), ctx.at) ?? false;
  for (const name of p.positional) ctx.out.ops.push({ op: "rm", at: ctx.at, name, force });
}

function removeNetworks(args: string[], ctx: CommandContext): void {
  const p = parseFlags(args, NETWORK_RM_FLAGS, ctx.at, "docker network rm");
  if (p.positional.length === 0) throw impossible(ctx.at, "\"docker network rm\" requires at least 1 argument");
  for (const name of p.positional) ctx.out.ops.push({ op: "network rm", at: ctx.at, name });
}

function daemonFlags(out: Imported, args: string[], at: string): void {
  const p = parseFlags(args, DAEMON_FLAGS, at, "dockerd");
  const d = out.daemon;
  const v = (n: string) => get(p, n);
  if (v("--bip")) d.bip = v("--bip");
  if (v("--fixed-cidr")) d["fixed-cidr"] = v("--fixed-cidr");
  if (v("--fixed-cidr-v6")) d["fixed-cidr-v6"] = v("--fixed-cidr-v6");
  if (bool(v("--ipv6"), at) !== undefined) d.ipv6 = bool(v("--ipv6"), at);
  if (v("--mtu")) d.mtu = Number(v("--mtu"));
  if (v("--ip")) d.ip = v("--ip");
  const flag = (n: string) => bool(v(n), at);
  if (flag("--iptables") !== undefined) d.iptables = flag("--iptables");
  if (flag("--ip6tables") !== undefined) d.ip6tables = flag("--ip6tables");
  if (flag("--ip-forward") !== undefined) d["ip-forward"] = flag("--ip-forward");
  if (flag("--ip-masq") !== undefined) d["ip-masq"] = flag("--ip-masq");
  if (flag("--icc") !== undefined) d.icc = flag("--icc");
  if (flag("--userland-proxy") !== undefined) d["userland-proxy"] = flag("--userland-proxy");
  if (get(p, "--bridge", "-b")) d.bridge = get(p, "--bridge", "-b");
  if (flag("--ip-forward-no-drop") !== undefined) d["ip-forward-no-drop"] = flag("--ip-forward-no-drop");
  if (flag("--allow-direct-routing") !== undefined) d["allow-direct-routing"] = flag("--allow-direct-routing");
  const fb = v("--firewall-backend");
  if (fb === "iptables" || fb === "nftables") d["firewall-backend"] = fb;
  daemonNetworkFlags(d, p, at);
}

/** The address-pool, default-network-opt and other network flags of dockerd (daemon.json keys of the same names). */
function daemonNetworkFlags(d: DaemonSpec, p: Parsed, at: string): void {
  const pools = all(p, "--default-address-pool").map((text) => addressPool(text, at));
  if (pools.length) d["default-address-pools"] = pools;
  for (const text of all(p, "--default-network-opt")) {
    // DRIVER=KEY=VALUE (opts.NamedMapMapOpts)
    const m = /^([a-z]+)=([^=]+)=(.*)$/.exec(text);
    if (!m) throw impossible(at, `dockerd: invalid --default-network-opt "${text}": expected DRIVER=KEY=VALUE`);
    const driver = m[1]!;
    d["default-network-opts"] = { ...d["default-network-opts"], [driver]: { ...d["default-network-opts"]?.[driver], [m[2]!]: m[3]! } };
  }
  const text: [string, "userland-proxy-path" | "bip6" | "default-gateway" | "default-gateway-v6" | "bridge-accept-fwmark"][] = [
    ["--userland-proxy-path", "userland-proxy-path"], ["--bip6", "bip6"], ["--default-gateway", "default-gateway"],
    ["--default-gateway-v6", "default-gateway-v6"], ["--bridge-accept-fwmark", "bridge-accept-fwmark"],
  ];
  for (const [flag, key] of text) if (get(p, flag) !== undefined) d[key] = get(p, flag);
  const cpMtu = get(p, "--network-control-plane-mtu");
  if (cpMtu !== undefined && !/^\d{2,5}$/.test(cpMtu)) throw impossible(at, `dockerd: invalid --network-control-plane-mtu "${cpMtu}"`);
  if (cpMtu !== undefined) d["network-control-plane-mtu"] = Number(cpMtu);
}

/** --default-address-pool base=10.10.0.0/16,size=24 (opts.PoolsOpt). */
function addressPool(text: string, at: string): { base: string; size: number } {
  const fields = new Map(text.split(",").map((kv) => kv.split("=") as [string, string | undefined]));
  const base = fields.get("base"), size = Number(fields.get("size"));
  if (!base || !Number.isInteger(size) || [...fields.keys()].some((k) => k !== "base" && k !== "size"))
    throw impossible(at, `dockerd: invalid --default-address-pool "${text}": expected base=CIDR,size=N`);
  return { base, size };
}

function network(args: string[], at: string): NetworkSpec {
  const p = parseFlags(args, NETWORK_FLAGS, at, "docker network create");
  const name = p.positional[0];
  if (!name || p.positional.length > 1) throw impossible(at, "docker network create needs exactly one network name");
  const options: Record<string, string> = {};
  for (const o of all(p, "-o", "--opt")) {
    const eq = o.indexOf("=");
    if (eq < 1) throw impossible(at, `invalid option "${o}": expected KEY=VALUE`);
    options[o.slice(0, eq)] = o.slice(eq + 1);
  }
  const driver = get(p, "-d", "--driver") ?? "bridge";
  const net: NetworkSpec = { name, driver: driver as NetworkSpec["driver"] };
  // --subnet/--gateway may be given once per address family (an IPv6 one has a colon).
  const [v4, v6] = [(x: string) => !x.includes(":"), (x: string) => x.includes(":")];
  const last = (list: string[]) => list[list.length - 1];
  const subnet = last(all(p, "--subnet").filter(v4)), subnet6 = last(all(p, "--subnet").filter(v6));
  const gateway = last(all(p, "--gateway").filter(v4)), gateway6 = last(all(p, "--gateway").filter(v6));
  if (subnet) net.subnet = subnet;
  if (gateway) net.gateway = gateway;
  if (subnet6) net.subnet6 = subnet6;
  if (gateway6) net.gateway6 = gateway6;
  if (p.flags.has("--ipv6")) net.ipv6 = bool(get(p, "--ipv6"), at);
  if (get(p, "--ip-range")) net["ip-range"] = get(p, "--ip-range");
  if (p.flags.has("--internal")) net.internal = bool(get(p, "--internal"), at);
  if (Object.keys(options).length) net.options = options;
  return net;
}

const CONNECT_FLAGS: Record<string, FlagKind> = {
  "--ip": "value", "--ip6": "value", "--alias": "list", "--link": "list", "--link-local-ip": "list", "--driver-opt": "list",
};

/** `docker network connect [--ip A] NET CTR`: the container joins now if it runs, else when it starts. */
function connect(args: string[], ctx: CommandContext): void {
  const p = parseFlags(args, CONNECT_FLAGS, ctx.at, "docker network connect");
  const [net, name] = p.positional;
  if (!net || !name || p.positional.length > 2) throw impossible(ctx.at, "docker network connect needs a network and a container");
  if (get(p, "--ip6")) throw impossible(ctx.at, "docker network connect --ip6 is not supported yet");
  const ip = get(p, "--ip");
  if (ip !== undefined && !/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) throw impossible(ctx.at, `invalid IPv4 address: ${ip}`);
  ctx.out.ops.push({ op: "connect", at: ctx.at, network: net, container: name, ...(ip ? { ip } : {}) });
}

function disconnect(args: string[], ctx: CommandContext): void {
  const p = parseFlags(args, DISCONNECT_FLAGS, ctx.at, "docker network disconnect");
  const [net, name] = p.positional;
  if (!net || !name || p.positional.length > 2) throw impossible(ctx.at, "docker network disconnect needs a network and a container");
  ctx.out.ops.push({ op: "disconnect", at: ctx.at, network: net, container: name, force: bool(get(p, "-f", "--force"), ctx.at) ?? false });
}

function container(args: string[], at: string, autoName: (image: string) => string): ContainerSpec {
  const p = parseFlags(args, RUN_FLAGS, at, "docker run");
  if (p.positional.length === 0) throw impossible(at, "docker run needs an image");
  const given = get(p, "--name");
  // Docker's validContainerNamePattern (ASCII only). Docker also wants two characters at least;
  // one-letter names stay accepted here, as the JSON form and existing examples use them.
  if (given !== undefined && !/^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(given))
    throw impossible(at, `Invalid container name (${given}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  const c: ContainerSpec = { name: given?.replace(/^\//, "") ?? autoName(p.positional[0]!) };
  if (get(p, "--mac-address")) c["mac-address"] = get(p, "--mac-address");
  const net = get(p, "--network", "--net");
  if (net) c.network = net === "default" ? "bridge" : net;
  if (get(p, "--ip")) c.ip = get(p, "--ip");
  if (get(p, "--ip6")) c.ip6 = get(p, "--ip6");
  const ports = all(p, "-p", "--publish");
  if (ports.length) c.ports = ports;
  const expose = all(p, "--expose");
  if (expose.length) c.expose = expose;
  if (p.flags.has("-P") || p.flags.has("--publish-all")) c["publish-all"] = true;
  return c;
}

/** A scenario with its commands read: the daemon flags merged, the rest as lifecycle operations. */
export type WithLifecycle = Scenario & { lifecycle: LifecycleOp[] };

/** The scenario with its commands turned into daemon flags and operations (after the JSON part). */
export function withCommands(s: Scenario): WithLifecycle {
  // host.iptables: the user's own rules, after everything Docker did (JSON part and commands).
  const own = hostIptablesOps(s.host?.iptables ?? [], tokens);
  refusePastedHost(own, s.rules?.host);
  if (!s.commands?.length) return { ...s, lifecycle: own };
  const imported = importCommands(s.commands);
  refusePastedHost(imported.ops, s.rules?.host);
  const daemon = { ...imported.daemon, ...s.daemon };
  // Legacy links on the default bridge add only /etc/hosts entries, unless icc is off: then
  // dockerd opens the linked container's exposed ports in DOCKER (bridge link.go), ports that
  // come from the image's EXPOSE, which nfplay cannot know.
  if (daemon.icc === false && imported.linked?.length)
    throw refuse(imported.linked[0]!, "docker run --link with --icc=false is not simulated: dockerd would accept the linked container's exposed ports (from its image) in filter DOCKER; publish or --expose the ports on a user-defined network instead");
  return { ...s, daemon, lifecycle: [...imported.ops, ...own], ...swarmFromCommands(s.swarm, imported.swarm) };
}

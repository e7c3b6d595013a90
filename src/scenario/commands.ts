// A tutorial's shell lines (`dockerd --icc=false`, `docker network create`, `docker run -p`)
// -> the scenario's daemon/networks/containers. Unknown flags are errors that name them.
import { parse } from "shell-quote";
import { invalid as impossible } from "../errors.js";
import type { ContainerSpec, DaemonSpec, NetworkSpec, Scenario } from "./schema.js";

type FlagKind = "bool" | "value" | "list";

interface Parsed {
  flags: Map<string, string[]>;
  positional: string[];
}

const RUN_FLAGS: Record<string, FlagKind> = {
  "-d": "bool", "--detach": "bool", "-i": "bool", "--interactive": "bool", "-t": "bool", "--tty": "bool",
  "--rm": "bool", "--privileged": "bool", "--init": "bool", "-P": "bool", "--publish-all": "bool", "--read-only": "bool",
  "--name": "value", "--network": "value", "--net": "value", "--ip": "value", "--hostname": "value", "-h": "value",
  "--entrypoint": "value", "-w": "value", "--workdir": "value", "-u": "value", "--user": "value", "--restart": "value",
  "--memory": "value", "-m": "value", "--cpus": "value", "--platform": "value", "--pull": "value", "--stop-signal": "value",
  "-p": "list", "--publish": "list", "--expose": "list", "-e": "list", "--env": "list", "-v": "list", "--volume": "list",
  "-l": "list", "--label": "list", "--cap-add": "list", "--cap-drop": "list", "--dns": "list", "--add-host": "list",
  "--env-file": "list", "--mount": "list", "--tmpfs": "list", "--network-alias": "list", "--ulimit": "list",
};

const NETWORK_FLAGS: Record<string, FlagKind> = {
  "-d": "value", "--driver": "value", "--subnet": "value", "--gateway": "value", "--ip-range": "value",
  "--internal": "bool", "--attachable": "bool", "-o": "list", "--opt": "list", "--label": "list",
};

const DAEMON_FLAGS: Record<string, FlagKind> = {
  "--bip": "value", "--fixed-cidr": "value", "--mtu": "value", "--ip": "value", "--iptables": "bool",
  "--ip6tables": "bool", "--ip-forward": "bool", "--ip-masq": "bool", "--icc": "bool", "--userland-proxy": "bool",
  "--experimental": "bool", "--debug": "bool", "-D": "bool", "--firewall-backend": "value",
  "--bridge": "value", "-b": "value", "--ip-forward-no-drop": "bool", "--allow-direct-routing": "bool",
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
    if (kind === undefined && /^-[a-zA-Z]{2,}$/.test(a) && [...a.slice(1)].every((c) => table[`-${c}`] === "bool")) {
      for (const c of a.slice(1)) add(`-${c}`, "true");
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
  networks: NetworkSpec[];
  containers: ContainerSpec[];
}

export function importCommands(lines: string[]): Imported {
  const out: Imported = { daemon: {}, networks: [], containers: [] };
  const taken = new Map<string, number>();
  const created = new Map<string, ContainerSpec>();
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
    if (argv[0] === "dockerd") return daemonFlags(out, argv.slice(1), at);
    if (argv[0] !== "docker") throw impossible(at, `not a docker command: "${argv[0]}"`);
    const [cmd, sub] = argv.slice(1);
    if (cmd === "network" && sub === "create") return out.networks.push(network(argv.slice(3), at));
    if (cmd === "run" || cmd === "create" || (cmd === "container" && (sub === "run" || sub === "create"))) {
      const args = argv.slice(cmd === "container" ? 3 : 2);
      const c = container(args, at, autoName);
      // A created container has no network until `docker start`: it takes its address and
      // publishes its ports then (one that is never started gets neither).
      if (cmd === "create" || sub === "create") created.set(c.name, c);
      else out.containers.push(c);
      return;
    }
    if (cmd === "start" || (cmd === "container" && sub === "start")) {
      for (const name of argv.slice(cmd === "container" ? 3 : 2).filter((a) => !a.startsWith("-"))) {
        const c = created.get(name);
        if (c) out.containers.push(c);
        created.delete(name);
      }
      return;
    }
    if (cmd === "network" && sub === "connect") return connect(out, argv.slice(3), at);
    if (cmd === "pull" || (cmd === "network" && sub === "ls") || cmd === "ps" || cmd === "inspect") return;
    throw impossible(at, `"docker ${[cmd, sub].filter(Boolean).join(" ")}" is not supported yet (dockerd, docker network create/connect, docker run/create are)`);
  });
  return out;
}

function daemonFlags(out: Imported, args: string[], at: string): void {
  const p = parseFlags(args, DAEMON_FLAGS, at, "dockerd");
  const d = out.daemon;
  const v = (n: string) => get(p, n);
  if (v("--bip")) d.bip = v("--bip");
  if (v("--fixed-cidr")) d["fixed-cidr"] = v("--fixed-cidr");
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
  if (get(p, "--subnet")) net.subnet = get(p, "--subnet");
  if (get(p, "--gateway")) net.gateway = get(p, "--gateway");
  if (get(p, "--ip-range")) net["ip-range"] = get(p, "--ip-range");
  if (p.flags.has("--internal")) net.internal = bool(get(p, "--internal"), at);
  if (Object.keys(options).length) net.options = options;
  return net;
}

const CONNECT_FLAGS: Record<string, FlagKind> = {
  "--ip": "value", "--ip6": "value", "--alias": "list", "--link": "list", "--link-local-ip": "list", "--driver-opt": "list",
};

/**
 * `docker network connect NET CTR`: one more network of an earlier container. nfplay attaches it
 * when the container starts (its address is taken then, not at the time of the connect).
 */
function connect(out: Imported, args: string[], at: string): void {
  const p = parseFlags(args, CONNECT_FLAGS, at, "docker network connect");
  const [net, name] = p.positional;
  if (!net || !name || p.positional.length > 2) throw impossible(at, "docker network connect needs a network and a container");
  if (get(p, "--ip") || get(p, "--ip6")) throw impossible(at, "docker network connect --ip is not supported yet (only the first network of a container takes a static address)");
  const c = out.containers.find((x) => x.name === name);
  if (!c) throw impossible(at, `docker network connect: no container "${name}" (only containers started by earlier commands)`);
  const nets = c.network === undefined ? ["bridge"] : Array.isArray(c.network) ? c.network : [c.network];
  if (nets.includes("host") || nets.includes("none")) throw impossible(at, `container "${name}" is in network mode ${nets[0]}: it cannot be connected to a network`);
  if (nets.includes(net)) throw impossible(at, `container "${name}" is already connected to network "${net}"`);
  c.network = [...nets, net];
}

function container(args: string[], at: string, autoName: (image: string) => string): ContainerSpec {
  const p = parseFlags(args, RUN_FLAGS, at, "docker run");
  if (p.positional.length === 0) throw impossible(at, "docker run needs an image");
  const c: ContainerSpec = { name: get(p, "--name") ?? autoName(p.positional[0]!) };
  const net = get(p, "--network", "--net");
  if (net) c.network = net === "default" ? "bridge" : net;
  if (get(p, "--ip")) c.ip = get(p, "--ip");
  const ports = all(p, "-p", "--publish");
  if (ports.length) c.ports = ports;
  const expose = all(p, "--expose");
  if (expose.length) c.expose = expose;
  if (p.flags.has("-P") || p.flags.has("--publish-all")) c["publish-all"] = true;
  return c;
}

/** The scenario with its commands turned into daemon/networks/containers. */
export function withCommands(s: Scenario): Scenario {
  if (!s.commands?.length) return s;
  const imported = importCommands(s.commands);
  return {
    ...s,
    daemon: { ...imported.daemon, ...s.daemon },
    networks: [...(s.networks ?? []), ...imported.networks],
    containers: [...(s.containers ?? []), ...imported.containers],
  };
}

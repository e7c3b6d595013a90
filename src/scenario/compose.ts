// A compose file (the scenario's `compose`, YAML) -> the scenario's networks and containers, as
// `docker compose up` (Compose v2) creates them: networks <project>_<key> (only those a service
// uses; `external` ones as they are), containers <project>-<service>-<n>, started in dependency
// order with ties by name (docker/compose pkg/compose/reconcile.go visitInDependencyOrder;
// networks in key order, reconcileNetworks), each service's networks by priority then name
// (compose-go NetworksByPriority: the first is the one the container is created with).
// Keys that change networking and are not simulated are errors naming them; the rest of the
// compose format (image, command, environment, volumes …) is accepted and ignored. Variables are
// interpolated as with an empty environment (defaults apply). Errors point into the file
// (/compose/services/web/ports/0) with the YAML line.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from "yaml";
import { EngineError, impossible, invalid } from "../errors.js";
import { containerSchema, networkSchema, type ContainerSpec, type NetworkSpec, type Scenario } from "./schema.js";

type Path = (string | number)[];

/** Keys of a service that do not change what nfplay simulates (Docker networking, iptables). */
const SERVICE_IGNORED = new Set([
  "image", "build", "command", "entrypoint", "environment", "env_file", "volumes", "volumes_from", "restart", "healthcheck",
  "labels", "logging", "working_dir", "user", "tty", "stdin_open", "privileged", "cap_add", "cap_drop", "container_name",
  "hostname", "domainname", "dns", "dns_search", "dns_opt", "extra_hosts", "links", "external_links", "secrets", "configs",
  "platform", "pull_policy", "stop_signal", "stop_grace_period", "ulimits", "init", "read_only", "shm_size", "tmpfs",
  "devices", "security_opt", "ipc", "pid", "cgroup", "cgroup_parent", "cpus", "cpu_shares", "cpu_quota", "cpuset", "mem_limit",
  "mem_reservation", "memswap_limit", "oom_kill_disable", "oom_score_adj", "group_add", "isolation", "runtime", "storage_opt",
  "userns_mode", "annotations", "attach", "develop", "post_start", "pre_stop", "label_file", "models", "provider", "gpus", "use_api_socket",
]);
/** Service keys nfplay reads. */
const SERVICE_READ = new Set(["ports", "expose", "networks", "network_mode", "depends_on", "deploy", "scale", "profiles"]);
/** Keys that change networking in ways nfplay does not simulate. */
const SERVICE_UNSUPPORTED: Record<string, string> = {
  mac_address: "a fixed MAC address is not simulated",
  sysctls: "container sysctls are not simulated",
  net: "the v1 `net` key is not supported: use network_mode",
};
const NETWORK_KEYS = new Set(["name", "external", "internal", "driver", "driver_opts", "ipam", "enable_ipv6", "enable_ipv4", "labels", "attachable"]);
const TOP_KEYS = new Set(["version", "name", "services", "networks", "volumes", "configs", "secrets", "include", "models"]);

export interface Composed {
  networks: NetworkSpec[];
  containers: ContainerSpec[];
  /** Where each generated field came from in the compose file ("/containers/2/ports/0" -> "/compose/services/web/ports/0"). */
  pointers: Map<string, string>;
}

/** The scenario with its compose file added as networks and containers (after the JSON ones). */
export function withCompose(s: Scenario): Scenario & { composePointers?: Map<string, string> } {
  if (s.compose === undefined) return s;
  const c = importCompose(s.compose, s.project, s.networks?.length ?? 0, s.containers?.length ?? 0, (s.networks ?? []).map((n) => n.name));
  return { ...s, networks: [...(s.networks ?? []), ...c.networks], containers: [...(s.containers ?? []), ...c.containers], composePointers: c.pointers };
}

/** An engine error about a generated network or container, re-pointed into the compose file. */
export function repoint(e: unknown, pointers: Map<string, string> | undefined): unknown {
  if (!(e instanceof EngineError) || !pointers?.size) return e;
  let changed = false;
  const errors = e.errors.map((x) => {
    const parts = x.pointer.split("/");
    for (let n = parts.length; n > 1; n--) {
      const to = pointers.get(parts.slice(0, n).join("/"));
      if (to !== undefined) {
        changed = true;
        return { ...x, pointer: [to, ...parts.slice(n)].join("/") };
      }
    }
    return x;
  });
  return changed ? new EngineError(e.status, e.type, e.title, errors) : e;
}

const esc = (k: string | number) => String(k).replace(/~/g, "~0").replace(/\//g, "~1");

class Reader {
  lines = new LineCounter();
  doc;
  constructor(text: string) {
    this.doc = parseDocument(text, { lineCounter: this.lines, uniqueKeys: true, merge: true });
    const err = this.doc.errors[0];
    if (err) throw invalid("/compose", `YAML: ${err.message.split("\n")[0]}${err.linePos ? ` (line ${err.linePos[0].line})` : ""}`);
  }

  pointer(path: Path): string {
    return ["/compose", ...path.map(esc)].join("/");
  }

  /** The line of the YAML node at `path` (the closest existing ancestor). */
  line(path: Path): number | null {
    let node: unknown = this.doc.contents;
    let found: unknown = node;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === seg);
        if (!pair) break;
        node = pair.value ?? pair.key;
        found = pair.value ?? pair.key;
      } else if (isSeq(node) && typeof seg === "number" && node.items[seg]) {
        node = found = node.items[seg];
      } else break;
    }
    const range = (found as Node | null)?.range;
    return range ? this.lines.linePos(range[0]).line : null;
  }

  fail(path: Path, message: string): EngineError {
    const line = this.line(path);
    return impossible(this.pointer(path), `${message}${line ? ` (line ${line})` : ""}`);
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export function importCompose(text: string, projectName: string | undefined, networkBase: number, containerBase: number, jsonNetworks: string[]): Composed {
  const r = new Reader(text);
  const top = interpolate(r, r.doc.toJS({ maxAliasCount: 100 }) as unknown, []);
  if (!isObj(top)) throw r.fail([], "a compose file is a mapping (services:, networks: …)");
  for (const k of Object.keys(top)) if (!TOP_KEYS.has(k) && !k.startsWith("x-")) throw r.fail([k], `unknown top-level key "${k}"`);
  const project = projectName ?? (typeof top.name === "string" ? top.name : "nfplay");
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(project)) throw r.fail(["name"], `project name "${project}" must match [a-z0-9][a-z0-9_-]*`);
  const services = top.services ?? {};
  if (!isObj(services)) throw r.fail(["services"], "services must be a mapping");
  const declared = top.networks ?? {};
  if (!isObj(declared)) throw r.fail(["networks"], "networks must be a mapping");

  const out: Composed = { networks: [], containers: [], pointers: new Map() };
  const active = Object.keys(services).filter((name) => {
    const svc = services[name];
    if (!isObj(svc)) throw r.fail(["services", name], "a service must be a mapping");
    // a service with profiles starts only when one of them is enabled (none is, here)
    return !(Array.isArray(svc.profiles) && svc.profiles.length > 0);
  });
  const plans = new Map(active.map((name) => [name, service(r, name, services[name] as Obj)]));

  // Networks: those a service uses, in key order; "default" exists when a service uses it.
  const used = new Set([...plans.values()].flatMap((p) => p.networks.map((n) => n.key)));
  for (const [key] of [...plans.values()].flatMap((p) => p.networks.map((n) => [n.key, n.path] as const)))
    if (key !== "default" && !(key in declared)) {
      const p = [...plans.entries()].find(([, pl]) => pl.networks.some((n) => n.key === key))!;
      throw r.fail(p[1].networks.find((n) => n.key === key)!.path, `service "${p[0]}" refers to undefined network ${key}`);
    }
  const mobyName = new Map<string, string>();
  for (const key of [...used].sort()) {
    const cfg = declared[key] ?? {};
    if (!isObj(cfg)) throw r.fail(["networks", key], "a network must be a mapping (or empty)");
    const made = network(r, project, key, cfg, jsonNetworks);
    mobyName.set(key, made.name);
    if (made.spec) {
      out.pointers.set(`/networks/${networkBase + out.networks.length}`, r.pointer(["networks", key]));
      out.networks.push(made.spec);
    }
  }

  for (const name of startOrder(r, plans)) {
    const plan = plans.get(name)!;
    for (let n = 1; n <= plan.replicas; n++) {
      const at = `/containers/${containerBase + out.containers.length}`;
      const spec: Obj = { name: plan.containerName ?? `${project}-${name}-${n}` };
      if (plan.mode) spec.network = plan.mode;
      else spec.network = plan.networks.map((x) => mobyName.get(x.key)!);
      const first = plan.networks[0];
      if (first?.ip) {
        if (plan.replicas > 1) throw r.fail(first.ipPath!, `service "${name}" has ${plan.replicas} replicas: they cannot share ipv4_address ${first.ip}`);
        spec.ip = first.ip;
      }
      const second = plan.networks.slice(1).find((x) => x.ip);
      if (second) throw r.fail(second.ipPath!, "ipv4_address on a service's second network is not simulated yet (only on its first network by priority)");
      if (plan.ports.length) spec.ports = plan.ports.map((p) => p.spec);
      if (plan.expose.length) spec.expose = plan.expose;
      const parsed = containerSchema.safeParse(spec);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const field = issue.path[0];
        const path = field === "ports" ? plan.ports[Number(issue.path[1])]!.path : field === "ip" ? first!.ipPath! : ["services", name];
        throw r.fail(path, `${issue.message}`);
      }
      out.pointers.set(at, r.pointer(["services", name]));
      plan.ports.forEach((p, k) => out.pointers.set(`${at}/ports/${k}`, r.pointer(p.path)));
      if (first?.ipPath) out.pointers.set(`${at}/ip`, r.pointer(first.ipPath));
      out.containers.push(parsed.data);
    }
  }
  return out;
}

/**
 * Compose's variable interpolation with an empty environment: `${X:-default}` and `${X-default}`
 * give the default, `${X}` and `$X` a blank string (compose warns "The X variable is not set"),
 * `${X:?message}` is an error, `$$` a literal `$`.
 */
function interpolate(r: Reader, v: unknown, path: Path): unknown {
  if (typeof v === "string")
    return v.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, name, op, arg) => {
      if (m === "$$") return "$";
      if (op === ":?" || op === "?") throw r.fail(path, `required variable ${name} is missing a value: ${arg || name}`);
      return op ? arg : "";
    });
  if (Array.isArray(v)) return v.map((x, i) => interpolate(r, x, [...path, i]));
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, interpolate(r, x, [...path, k])]));
  return v;
}

interface ServicePlan {
  networks: { key: string; priority: number; ip?: string; ipPath?: Path; path: Path }[];
  mode: string | null;
  ports: { spec: string; path: Path }[];
  expose: string[];
  replicas: number;
  dependsOn: { name: string; path: Path }[];
  containerName: string | null;
}

function service(r: Reader, name: string, svc: Obj): ServicePlan {
  const base: Path = ["services", name];
  for (const k of Object.keys(svc)) {
    if (k.startsWith("x-") || SERVICE_IGNORED.has(k) || SERVICE_READ.has(k)) continue;
    if (SERVICE_UNSUPPORTED[k]) throw r.fail([...base, k], `"${k}": ${SERVICE_UNSUPPORTED[k]}`);
    throw r.fail([...base, k], `unknown service key "${k}"`);
  }
  const plan: ServicePlan = { networks: [], mode: null, ports: [], expose: [], replicas: 1, dependsOn: [], containerName: null };
  if (svc.network_mode !== undefined) {
    const m = String(svc.network_mode);
    if (svc.networks !== undefined) throw r.fail([...base, "network_mode"], `service ${name} declares mutually exclusive \`network_mode\` and \`networks\``);
    if (m.startsWith("service:") || m.startsWith("container:"))
      throw r.fail([...base, "network_mode"], `network_mode "${m}" (sharing another container's network namespace) is not simulated yet`);
    if (!["host", "none", "bridge"].includes(m)) throw r.fail([...base, "network_mode"], `network_mode "${m}" is not one of host, none, bridge, service:NAME`);
    plan.mode = m;
  } else plan.networks = serviceNetworks(r, base, svc.networks);
  plan.ports = ports(r, [...base, "ports"], svc.ports);
  plan.expose = listOf(r, [...base, "expose"], svc.expose).map((e, i) => {
    const s = String(e);
    if (!/^\d{1,5}(-\d{1,5})?(\/(tcp|udp|sctp))?$/.test(s)) throw r.fail([...base, "expose", i], `invalid expose "${s}"`);
    return s;
  });
  plan.replicas = replicas(r, base, svc);
  if (typeof svc.container_name === "string") {
    if (plan.replicas > 1) throw r.fail([...base, "container_name"], `services.${name}: can't set container_name and ${name} as container name must be unique`);
    plan.containerName = svc.container_name;
  }
  const deps = svc.depends_on;
  if (Array.isArray(deps)) plan.dependsOn = deps.map((d, i) => ({ name: String(d), path: [...base, "depends_on", i] }));
  else if (isObj(deps)) plan.dependsOn = Object.keys(deps).map((d) => ({ name: d, path: [...base, "depends_on", d] }));
  else if (deps !== undefined) throw r.fail([...base, "depends_on"], "depends_on must be a list or a mapping");
  return plan;
}

function listOf(r: Reader, path: Path, v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw r.fail(path, `${path[path.length - 1]} must be a list`);
  return v;
}

/** services.X.networks: a list of keys, or a mapping key -> { ipv4_address, aliases, priority … }. */
function serviceNetworks(r: Reader, base: Path, v: unknown): ServicePlan["networks"] {
  const path = [...base, "networks"];
  if (v === undefined || v === null) return [{ key: "default", priority: 0, path: base }];
  const out: ServicePlan["networks"] = [];
  if (Array.isArray(v)) v.forEach((k, i) => out.push({ key: String(k), priority: 0, path: [...path, i] }));
  else if (isObj(v))
    for (const [key, cfg] of Object.entries(v)) {
      const at = [...path, key];
      const entry: ServicePlan["networks"][number] = { key, priority: 0, path: at };
      if (cfg !== null && cfg !== undefined) {
        if (!isObj(cfg)) throw r.fail(at, "a service network is a mapping (ipv4_address, aliases, priority …)");
        for (const k of Object.keys(cfg)) {
          if (["aliases", "priority", "ipv4_address", "link_local_ips", "driver_opts", "gw_priority", "interface_name"].includes(k)) continue;
          if (k === "ipv6_address" || k === "mac_address") throw r.fail([...at, k], `"${k}" is not simulated yet`);
          throw r.fail([...at, k], `unknown key "${k}"`);
        }
        if (cfg.priority !== undefined) entry.priority = Number(cfg.priority);
        if (cfg.ipv4_address !== undefined) {
          entry.ip = String(cfg.ipv4_address);
          entry.ipPath = [...at, "ipv4_address"];
        }
      }
      out.push(entry);
    }
  else throw r.fail(path, "networks must be a list or a mapping");
  // compose-go NetworksByPriority: higher priority first, then by name
  return out.sort((a, b) => b.priority - a.priority || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** ports: short syntax ("8080:80", "127.0.0.1:53:53/udp", 3000) or long ({ target, published, host_ip, protocol }). */
function ports(r: Reader, path: Path, v: unknown): ServicePlan["ports"] {
  return listOf(r, path, v).map((p, i) => {
    const at = [...path, i];
    if (typeof p === "number" || typeof p === "string") return { spec: String(p), path: at };
    if (!isObj(p)) throw r.fail(at, "a port is a string, a number or a mapping");
    for (const k of Object.keys(p))
      if (!["target", "published", "host_ip", "protocol", "mode", "name", "app_protocol"].includes(k)) throw r.fail([...at, k], `unknown port key "${k}"`);
    if (p.target === undefined) throw r.fail(at, "a port needs a target");
    const ip = p.host_ip ? (String(p.host_ip).includes(":") ? `[${p.host_ip}]` : String(p.host_ip)) : "";
    const published = p.published === undefined || p.published === "" ? "" : String(p.published);
    const proto = p.protocol ? `/${p.protocol}` : "";
    const spec = `${ip ? `${ip}:` : ""}${published || ip ? `${published}:` : ""}${p.target}${proto}`;
    return { spec, path: at };
  });
}

function replicas(r: Reader, base: Path, svc: Obj): number {
  const deploy = svc.deploy;
  let n: unknown = svc.scale;
  let at: Path = [...base, "scale"];
  if (isObj(deploy) && deploy.replicas !== undefined) {
    if (n !== undefined && Number(n) !== Number(deploy.replicas)) throw r.fail([...base, "deploy", "replicas"], "scale and deploy.replicas disagree");
    n = deploy.replicas;
    at = [...base, "deploy", "replicas"];
  }
  if (isObj(deploy) && deploy.mode === "global") throw r.fail([...base, "deploy", "mode"], "deploy.mode global is a swarm mode");
  if (n === undefined) return 1;
  const count = Number(n);
  if (!Number.isInteger(count) || count < 0 || count > 64) throw r.fail(at, `replicas must be an integer from 0 to 64, not ${JSON.stringify(n)}`);
  return count;
}

/** A declared network -> its Docker name and, unless external, the network to create. */
function network(r: Reader, project: string, key: string, cfg: Obj, jsonNetworks: string[]): { name: string; spec: NetworkSpec | null } {
  const at: Path = ["networks", key];
  for (const k of Object.keys(cfg)) if (!NETWORK_KEYS.has(k) && !k.startsWith("x-")) throw r.fail([...at, k], `unknown network key "${k}"`);
  const ext = cfg.external;
  if (ext) {
    const name = isObj(ext) && typeof ext.name === "string" ? ext.name : typeof cfg.name === "string" ? cfg.name : key;
    if (!["bridge", "host", "none"].includes(name) && !jsonNetworks.includes(name))
      throw r.fail([...at, "external"], `network ${name} declared as external, but could not be found`);
    return { name, spec: null };
  }
  const name = typeof cfg.name === "string" ? cfg.name : `${project}_${key}`;
  const spec: Obj = { name, driver: cfg.driver ?? "bridge" };
  if (cfg.internal !== undefined) spec.internal = Boolean(cfg.internal);
  if (cfg.enable_ipv6 !== undefined) spec.ipv6 = Boolean(cfg.enable_ipv6);
  if (cfg.enable_ipv4 === false) throw r.fail([...at, "enable_ipv4"], "an IPv6-only network is not simulated yet");
  if (cfg.driver_opts !== undefined) {
    if (!isObj(cfg.driver_opts)) throw r.fail([...at, "driver_opts"], "driver_opts must be a mapping");
    spec.options = Object.fromEntries(Object.entries(cfg.driver_opts).map(([k, v]) => [k, String(v)]));
  }
  const src = new Map<string, Path>([["driver", [...at, "driver"]], ["options", [...at, "driver_opts"]], ["name", [...at, "name"]]]);
  const ipam = cfg.ipam;
  if (ipam !== undefined) {
    if (!isObj(ipam)) throw r.fail([...at, "ipam"], "ipam must be a mapping");
    for (const k of Object.keys(ipam)) if (!["driver", "config", "options"].includes(k)) throw r.fail([...at, "ipam", k], `unknown ipam key "${k}"`);
    if (ipam.driver !== undefined && ipam.driver !== "default") throw r.fail([...at, "ipam", "driver"], `IPAM driver "${ipam.driver}" is not simulated`);
    listOf(r, [...at, "ipam", "config"], ipam.config).forEach((c, i) => {
      const cp = [...at, "ipam", "config", i];
      if (!isObj(c)) throw r.fail(cp, "an ipam config is a mapping (subnet, gateway, ip_range)");
      for (const k of Object.keys(c)) if (!["subnet", "gateway", "ip_range", "aux_addresses"].includes(k)) throw r.fail([...cp, k], `unknown ipam config key "${k}"`);
      const v6 = typeof c.subnet === "string" && c.subnet.includes(":");
      const put = (field: string, value: unknown, from: string) => {
        if (value === undefined) return;
        if (spec[field] !== undefined) throw r.fail([...cp, from], `a second IPv${v6 ? 6 : 4} ${from} is not simulated`);
        spec[field] = String(value);
        src.set(field, [...cp, from]);
      };
      put(v6 ? "subnet6" : "subnet", c.subnet, "subnet");
      put(v6 ? "gateway6" : "gateway", c.gateway, "gateway");
      if (v6 && c.ip_range !== undefined) throw r.fail([...cp, "ip_range"], "an IPv6 ip_range is not simulated");
      put("ip-range", c.ip_range, "ip_range");
    });
  }
  const parsed = networkSchema.safeParse(spec);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw r.fail(src.get(String(issue.path[0])) ?? at, issue.message);
  }
  return { name, spec: parsed.data };
}

/** Dependencies first; among services that are ready, by name (compose's plan order). */
function startOrder(r: Reader, plans: Map<string, ServicePlan>): string[] {
  for (const [name, plan] of plans)
    for (const d of plan.dependsOn) if (!plans.has(d.name)) throw r.fail(d.path, `service "${name}" depends on undefined service "${d.name}"`);
  const done: string[] = [];
  const names = [...plans.keys()].sort();
  while (done.length < names.length) {
    const next = names.find((n) => !done.includes(n) && plans.get(n)!.dependsOn.every((d) => done.includes(d.name)));
    if (!next) {
      const stuck = names.find((n) => !done.includes(n))!;
      throw r.fail(["services", stuck, "depends_on"], `dependency cycle detected among services ${names.filter((n) => !done.includes(n)).join(", ")}`);
    }
    done.push(next);
  }
  return done;
}

// What the commands importer produces is checked with the same zod schemas as the JSON form, so
// `--subnet 10.0.0.0/33` is a 400 at /commands/N naming the flag and its value, never a parse
// error deep in IPAM (a 500). Each dockerd line and each operation is checked as it is read, so
// the error names the line that introduced the bad value.
import type { z } from "zod";
import { invalid } from "../errors.js";
import type { LifecycleOp } from "../docker/lifecycle.js";
import { containerSchema, daemonSchema, networkSchema, type DaemonSpec } from "./schema.js";

// Schema keys -> the flag a user typed (the rest are `--KEY`).
const NETWORK_FLAG: Record<string, string> = {
  subnet: "--subnet", subnet6: "--subnet", gateway: "--gateway", gateway6: "--gateway", "ip-range": "--ip-range",
  options: "--opt", name: "network name", driver: "--driver",
};
const CONTAINER_FLAG: Record<string, string> = {
  ip: "--ip", ip6: "--ip6", ports: "-p", expose: "--expose", name: "--name", network: "--network",
};
const DAEMON_FLAG: Record<string, string> = { "default-address-pools": "--default-address-pool", "default-network-opts": "--default-network-opt" };

/** The value at a zod issue's path, for the message ("--subnet \"10.0.0.0/33\": ..."). */
function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const k of path) v = v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

function quoteValue(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : typeof value === "number" && Number.isNaN(value) ? "(not a number)" : JSON.stringify(value) ?? "";
}

function check(schema: z.ZodType, data: unknown, at: string, what: string, flags: Record<string, string>): void {
  const parsed = schema.safeParse(data);
  if (parsed.success) return;
  const issue = parsed.error.issues[0]!;
  const key = String(issue.path[0] ?? "");
  const flag = flags[key] ?? `--${key}`;
  // A list flag's item (--publish's 2nd value), or an object field (--default-address-pool's base).
  const value = valueAt(data, issue.path);
  const field = issue.path.slice(1).filter((k) => typeof k === "string").join(".");
  const shown = value === undefined ? "" : ` ${field ? `${field}=` : ""}${quoteValue(value)}`;
  throw invalid(at, `${what} ${flag}${shown}: ${issue.message}`);
}

export function checkDaemon(daemon: DaemonSpec, at: string): void {
  check(daemonSchema, daemon, at, "dockerd", DAEMON_FLAG);
}

/** An operation read from a command line, before the lifecycle runs it. */
export function checkOp(op: LifecycleOp): void {
  switch (op.op) {
    case "network create":
      return check(networkSchema, op.spec, op.at, "docker network create", NETWORK_FLAG);
    case "create":
      return check(containerSchema, op.spec, op.at, "docker run", CONTAINER_FLAG);
    case "connect":
      if (op.ip !== undefined) check(containerSchema.pick({ ip: true }), { ip: op.ip }, op.at, "docker network connect", CONTAINER_FLAG);
      return;
  }
}

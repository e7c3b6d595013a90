// A flow to host:PORT that no container publishes ends at the host itself, where the contract
// assumes some application listens. "connects: true" then says nothing about a container being
// exposed (a database on an internal network, a tcp-only publish asked over udp): say so.
import type { Trace } from "../net/flows.js";
import type { Warning } from "./types.js";

export const CODE = "flow-to-unpublished-host-port";

export function assumedHostListener(traces: Trace[]): Warning[] {
  return traces
    .filter((t) => t.assumedListener && t.deliveredTo?.namespace === "host")
    .map((t) => ({
      code: CODE,
      message:
        `"${t.name}" reaches the host itself on port ${t.deliveredTo!.port}: no container publishes it, so no container ` +
        `is exposed there. The trace assumes a host process listens on that port (without one the kernel answers ` +
        `with a TCP reset or an ICMP port unreachable).`,
      refs: [{ namespace: "host", flow: t.name, port: `${t.deliveredTo!.port}` }],
    }));
}

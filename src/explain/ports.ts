// Published ports as the explain modules iterate them.
import type { DockerContainer } from "../docker/model.js";
import type { PortBinding } from "../docker/ports.js";

export interface Published {
  container: DockerContainer;
  binding: PortBinding;
  /** As `docker ps` prints it: "0.0.0.0:8080->80/tcp". */
  label: string;
}

export function publishedPorts(containers: DockerContainer[]): Published[] {
  return containers.flatMap((c) =>
    // label is a getter: only a warning prints it, and a big host has thousands of ports.
    c.mode !== "bridge" ? [] : c.ports.filter((b) => b.hostPort !== 0).map((b) => ({ container: c, binding: b, get label() { return `${b.hostIp}:${b.hostPort}->${b.containerPort}/${b.proto}`; } })),
  );
}

export function isWildcard(hostIp: string): boolean {
  return hostIp === "0.0.0.0" || hostIp === "::";
}

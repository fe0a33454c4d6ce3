import type { Egress } from "@openaxon/client";

/** A policy's egress in one line, as the table shows it. */
export function describeEgress(egress: Egress): string {
  const parts: string[] = [];
  if (egress.allowAll) parts.push("any public address");
  if (egress.allowedHostnames.length > 0) parts.push(egress.allowedHostnames.join(", "));
  for (const rule of egress.allowedCidrs) {
    const ports = rule.ports.map((p) => (p.start === p.end ? `${p.start}` : `${p.start}-${p.end}`)).join(",");
    parts.push(ports ? `${rule.cidr} ports ${ports}` : rule.cidr);
  }
  if (egress.allowAgentGateway) parts.push("agent gateway");
  return parts.length > 0 ? parts.join("; ") : "nothing allowed";
}

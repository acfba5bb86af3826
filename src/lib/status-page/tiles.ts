import type { ServerView } from "./view-types";

/**
 * The portal's two tiles. "Using Managed ID": the agent reports it
 * authenticates with the managed identity (Active). "Ready to use Managed ID":
 * servers with an identity the service can switch them to — every server with
 * a principal except old agents and cluster name entries, Active ones included.
 */
export interface Tiles {
  ready: number;
  using: number;
  total: number;
}

export function tilesOf(servers: readonly ServerView[]): Tiles {
  let ready = 0;
  let using = 0;
  for (const s of servers) {
    if (s.state === "Active") using += 1;
    if (s.principalId && s.state !== "AgentTooOld" && s.state !== "AgentExpired" && s.state !== "ClusterName")
      ready += 1;
  }
  return { ready, using, total: servers.length };
}

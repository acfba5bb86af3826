import type { ServerState } from "../reconcile";
import { SERVER_STATES, type StateCounts } from "./rows";

export function emptyCounts(): StateCounts {
  return Object.fromEntries(SERVER_STATES.map((s) => [s, 0])) as StateCounts;
}

export function countByState(servers: Iterable<{ state: ServerState }>): StateCounts {
  const counts = emptyCounts();
  for (const s of servers) counts[s.state] += 1;
  return counts;
}

export function isServerState(value: unknown): value is ServerState {
  return typeof value === "string" && (SERVER_STATES as readonly string[]).includes(value);
}

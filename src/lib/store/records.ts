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

/** Servers by state summed over service rows (each row's counts). */
export function sumCounts(all: Iterable<StateCounts>): StateCounts {
  const total = emptyCounts();
  for (const counts of all) for (const s of SERVER_STATES) total[s] += counts[s] ?? 0;
  return total;
}

export function isServerState(value: unknown): value is ServerState {
  return typeof value === "string" && (SERVER_STATES as readonly string[]).includes(value);
}

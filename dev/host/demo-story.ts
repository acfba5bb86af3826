import { setTimeout as sleep } from "node:timers/promises";
import { CURRENT_AGENT_VERSION } from "../emulator/agent-versions";
import { AppApiClient, type RunStatus, type ServiceDetail } from "./app-api-client";
import type { LocalStack } from "./local-stack";
import { terminal } from "./terminal";

export interface DemoStoryOptions {
  stack: LocalStack;
  serviceId: string;
  serverName: string;
  machineId: string;
  timeoutMs?: number;
}

function summarizeRun(run: RunStatus): string {
  const byKind = new Map<string, number>();
  for (const outcome of run.outcomes ?? []) {
    if (outcome.status !== "succeeded") continue;
    const kind = run.plan?.find((p) => p.id === outcome.actionId)?.kind ?? outcome.actionId.split(":")[0] ?? "action";
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
  }
  const done = [...byKind].map(([kind, n]) => `${n}× ${kind}`).join(", ") || "nothing to change";
  return `run ${run.runId} ${run.status}: ${done} (${run.armReads ?? "?"} ARM reads, ${run.armWrites ?? "?"} writes)`;
}

/**
 * The story `npm start` tells: register a server through the emulator's
 * admin API (as the File Sync agent would), then narrate what the app does,
 * read back from its own status API, until the server is Active.
 */
export async function runDemoStory(options: DemoStoryOptions): Promise<void> {
  const { stack, serviceId, serverName } = options;
  const api = new AppApiClient(stack.apiUrl, stack.functionKey);
  const serviceName = serviceId.split("/").pop();
  terminal.story(
    `server ${serverName} (Arc machine ${options.machineId.split("/").pop()}, with a system-assigned identity) registers with Storage Sync Service ${serviceName} …`,
  );
  const serverResourceId = await stack.emulator.admin.registerServer({
    serviceId,
    serverName,
    agentVersion: CURRENT_AGENT_VERSION,
  });
  const serverId = serverResourceId.split("/").pop() ?? "";
  terminal.story(
    `ARM raised ResourceWriteSuccess for registeredServers/${serverId}; Event Grid delivers it to the host's webhook`,
  );

  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  const toldRuns = new Set<string>();
  let lastState = "";
  const gridFunction = functionOf(stack, "eventGrid");
  stack.host
    .waitForLog(
      (e) =>
        e.category === "host" &&
        e.functionName === gridFunction &&
        String(e.message).startsWith(`Executed 'Functions.${gridFunction}' (Succeeded`),
      30_000,
    )
    .then(
      () => terminal.story(`${gridFunction} handled the event and queued a reconcile of ${serviceName}`),
      () => undefined,
    );
  while (Date.now() < deadline) {
    const detail = await api.get<ServiceDetail>(`/service?id=${encodeURIComponent(serviceId)}`);
    if (detail.status === 200) {
      for (const run of detail.body.recentRuns) {
        if (
          toldRuns.has(run.runId) ||
          !["succeeded", "completedWithFailures", "failed", "poisoned"].includes(run.status)
        )
          continue;
        toldRuns.add(run.runId);
        const full = await api.get<RunStatus>(`/runs/${run.runId}`);
        if (full.status === 200) terminal.story(summarizeRun(full.body));
      }
      const server = detail.body.servers.find((s) => s.serverId.toLowerCase() === serverId.toLowerCase());
      if (server && server.state !== lastState) {
        lastState = server.state;
        terminal.story(`${serverName} is ${server.state}: ${server.reason}`);
        if (server.state === "Active") {
          const counts = Object.entries(detail.body.service.counts)
            .filter(([, n]) => n > 0)
            .map(([state, n]) => `${n} ${state}`)
            .join(", ");
          terminal.ok(
            `${serverName} now authenticates with its managed identity (${server.principalId ?? "?"}). ${serviceName}: ${counts}`,
          );
          return;
        }
      }
    }
    await sleep(1_000);
  }
  terminal.app(
    "story",
    `${serverName} did not become Active within ${(options.timeoutMs ?? 90_000) / 1000} s; last state: ${lastState || "no status yet"}`,
    "warning",
  );
}

function functionOf(stack: LocalStack, kind: string): string | undefined {
  for (const entry of stack.host.logs) {
    const ready = entry.ready as { functions?: { name: string; kind: string }[] } | undefined;
    const found = ready?.functions?.find((f) => f.kind === kind);
    if (found) return found.name;
  }
  return undefined;
}

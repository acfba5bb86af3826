import { setTimeout as sleep } from "node:timers/promises";
import type { LogEntry } from "../host/logger";
import { spawnHost, type HostProcess } from "../host/spawn-host";

/**
 * The chaos run's local hosts: child processes of one app on one queue, each
 * on its own fixed port so a restarted host keeps its Event Grid webhook.
 * A killed host is SIGKILLed (no draining) and started again later.
 */
export class HostPool {
  private readonly hosts: (HostProcess | undefined)[];
  private readonly ports: number[] = [];
  private readonly starting = new Map<number, Promise<void>>();
  private functionKey: string | undefined;
  kills = 0;
  restarts = 0;
  pauses = 0;
  private readonly waking = new Set<NodeJS.Timeout>();

  constructor(
    private readonly projectDir: string,
    private readonly env: Record<string, string>,
    private readonly baseEnv: NodeJS.ProcessEnv,
    count: number,
    private readonly onLog?: (host: number, entry: LogEntry) => void,
  ) {
    this.hosts = Array.from({ length: count }, () => undefined);
  }

  get size(): number {
    return this.hosts.length;
  }

  get key(): string {
    if (!this.functionKey) throw new Error("no host started yet");
    return this.functionKey;
  }

  /** Base URLs of the hosts that are up now. */
  liveUrls(): string[] {
    return this.hosts
      .filter((h): h is HostProcess => h !== undefined && h.child.exitCode === null && h.child.signalCode === null)
      .map((h) => h.url);
  }

  url(index: number): string {
    const port = this.ports[index];
    if (port === undefined) throw new Error(`host ${index} never started`);
    return `http://127.0.0.1:${port}`;
  }

  async start(index: number): Promise<HostProcess> {
    const host = await spawnHost({
      projectDir: this.projectDir,
      env: this.env,
      baseEnv: this.baseEnv,
      port: this.ports[index] ?? 0,
      functionKey: this.functionKey,
      readyTimeoutMs: 60_000,
      ...(this.onLog ? { onLog: (entry: LogEntry) => this.onLog?.(index, entry) } : {}),
    });
    this.ports[index] = Number(new URL(host.url).port);
    this.functionKey ??= host.functionKey;
    this.hosts[index] = host;
    return host;
  }

  /** SIGKILL, at once (synchronous, so a kill from a write listener lands before the write's answer is sent). */
  killNow(index: number): boolean {
    const host = this.hosts[index];
    if (!host || host.child.exitCode !== null || host.child.signalCode !== null) return false;
    host.child.kill("SIGKILL");
    this.hosts[index] = undefined;
    this.kills++;
    return true;
  }

  /**
   * SIGSTOP now, SIGCONT after pauseMs: the process (its timers and its lease
   * renewals with it) sleeps and wakes as it was, as a frozen VM does.
   */
  pauseFor(index: number, pauseMs: number): boolean {
    const host = this.hosts[index];
    if (!host || host.child.exitCode !== null || host.child.signalCode !== null) return false;
    host.child.kill("SIGSTOP");
    this.pauses++;
    const wake = setTimeout(() => {
      this.waking.delete(wake);
      if (host.child.exitCode === null && host.child.signalCode === null) host.child.kill("SIGCONT");
    }, pauseMs);
    this.waking.add(wake);
    return true;
  }

  /** Starts the host again after downMs (once, however many kills asked for it). */
  restartLater(index: number, downMs: number): void {
    if (this.starting.has(index)) return;
    const run = (async () => {
      await sleep(downMs);
      for (let attempt = 1; attempt <= 3; attempt++) {
        try {
          await this.start(index);
          this.restarts++;
          return;
        } catch {
          // a busy machine can miss the ready timeout: try again; allUp() starts it in the end
        }
      }
    })().finally(() => this.starting.delete(index));
    this.starting.set(index, run);
  }

  /** Waits for pending restarts, then starts any host that is down. */
  async allUp(): Promise<void> {
    await Promise.all([...this.starting.values()]);
    for (let i = 0; i < this.hosts.length; i++) if (!this.hosts[i]) await this.start(i);
  }

  async stop(): Promise<void> {
    // A paused host is woken first, or it could not drain.
    for (const wake of this.waking) clearTimeout(wake);
    this.waking.clear();
    for (const host of this.hosts)
      if (host && host.child.exitCode === null && host.child.signalCode === null) host.child.kill("SIGCONT");
    await Promise.allSettled([...this.starting.values()]);
    await Promise.all(this.hosts.map((h) => h?.stop(10_000)));
  }
}

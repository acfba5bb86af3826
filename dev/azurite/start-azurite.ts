import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:net";

/** Azurite's documented well-known development account. */
export const AZURITE_ACCOUNT = "devstoreaccount1";
export const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface AzuriteHandle {
  connectionString: string;
  blobPort: number;
  queuePort: number;
  tablePort: number;
  stop(): Promise<void>;
}

export interface AzuriteOptions {
  /** Folder for Azurite's data; omitted → in memory. */
  location?: string;
  /** Forward Azurite's output (debugging). */
  verbose?: boolean;
  /**
   * Its own process group, so a Ctrl-C in the terminal (SIGINT to the whole
   * foreground group) does not stop storage while the host is still draining
   * invocations that write to it; the caller stops it last.
   */
  ownProcessGroup?: boolean;
}

/**
 * `count` distinct free loopback ports. All are held open until every one is known: a port closed before the
 * next is asked for may be handed out again, and Azurite then fails with EADDRINUSE on its second service.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const server = createServer();
          server.once("error", reject);
          server.listen(0, "127.0.0.1", () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    return typeof address === "object" && address ? address.port : 0;
  });
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  return ports;
}

function connectionStringFor(blobPort: number, queuePort: number, tablePort: number): string {
  const host = "http://127.0.0.1";
  return (
    [
      "DefaultEndpointsProtocol=http",
      `AccountName=${AZURITE_ACCOUNT}`,
      `AccountKey=${AZURITE_KEY}`,
      `BlobEndpoint=${host}:${blobPort}/${AZURITE_ACCOUNT}`,
      `QueueEndpoint=${host}:${queuePort}/${AZURITE_ACCOUNT}`,
      `TableEndpoint=${host}:${tablePort}/${AZURITE_ACCOUNT}`,
    ].join(";") + ";"
  );
}

function waitForListening(child: ChildProcess, services: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    let output = "";
    const timer = setTimeout(
      () => reject(new Error(`Azurite did not start within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString();
      output += text;
      seen += (text.match(/successfully listening/g) ?? []).length;
      if (seen >= services) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited with code ${code}:\n${output}`));
    });
  });
}

/** Starts Azurite (blob, queue, table) as a child process on free loopback ports. */
export async function startAzurite(options: AzuriteOptions = {}): Promise<AzuriteHandle> {
  const [blobPort = 0, queuePort = 0, tablePort = 0] = await freePorts(3);
  const args = [
    require.resolve("azurite/dist/src/azurite.js"),
    "--blobHost",
    "127.0.0.1",
    "--blobPort",
    String(blobPort),
    "--queueHost",
    "127.0.0.1",
    "--queuePort",
    String(queuePort),
    "--tableHost",
    "127.0.0.1",
    "--tablePort",
    String(tablePort),
    "--skipApiVersionCheck",
    "--disableTelemetry",
    "--loose",
  ];
  args.push(...(options.location ? ["--location", options.location] : ["--inMemoryPersistence"]));
  const child = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.ownProcessGroup === true,
  });
  if (options.verbose) {
    child.stdout?.pipe(process.stdout);
    child.stderr?.pipe(process.stderr);
  }
  // Outside the caller's process group it would outlive a caller that exits without stopping it.
  const killOnExit = (): void => void child.kill("SIGTERM");
  if (options.ownProcessGroup) process.once("exit", killOnExit);
  child.once("exit", () => process.off("exit", killOnExit));
  await waitForListening(child, 3, 30_000);
  return {
    connectionString: connectionStringFor(blobPort, queuePort, tablePort),
    blobPort,
    queuePort,
    tablePort,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

import type { IncomingMessage } from "node:http";

/** Kestrel's limits on how a request body arrives, as settings of the local host. */
export interface BodyLimits {
  /** Largest body accepted; a larger one gets 413 (the Functions HTTP trigger's documented limit is 100 MB). */
  maxBytes: number;
  /**
   * Slowest average rate a body may arrive at, after the grace period (Kestrel's MinRequestBodyDataRate: 240 bytes/s).
   */
  minBytesPerSecond: number;
  /** How long a body may arrive slower than that before it counts (Kestrel: 5 s). */
  gracePeriodMs: number;
}

export class BodyTooLarge extends Error {}
export class BodyTooSlow extends Error {}

/**
 * Reads a request body within the limits. On a breach it rejects but keeps
 * discarding what the client still sends (the caller answers first, so the
 * answer reaches the client instead of a connection reset).
 */
export function readBody(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limits.maxBytes) {
      req.resume();
      reject(
        new BodyTooLarge(`the request body (${declared} bytes) is over the host's limit of ${limits.maxBytes} bytes`),
      );
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    const started = Date.now();
    const fail = (error: Error): void => {
      failed = true;
      clearInterval(rateCheck);
      chunks.length = 0;
      reject(error);
    };
    const rateCheck = setInterval(
      () => {
        const elapsedMs = Date.now() - started;
        if (elapsedMs >= limits.gracePeriodMs && (size * 1000) / elapsedMs < limits.minBytesPerSecond) {
          fail(
            new BodyTooSlow(
              `the request body arrived slower than ${limits.minBytesPerSecond} bytes/s (${size} bytes in ${elapsedMs} ms)`,
            ),
          );
        }
      },
      Math.max(50, Math.min(1_000, limits.gracePeriodMs / 2)),
    );
    rateCheck.unref();
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limits.maxBytes) {
        fail(new BodyTooLarge(`the request body is over the host's limit of ${limits.maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      clearInterval(rateCheck);
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on("error", (error) => {
      clearInterval(rateCheck);
      if (!failed) fail(error);
    });
    req.on("close", () => clearInterval(rateCheck));
  });
}

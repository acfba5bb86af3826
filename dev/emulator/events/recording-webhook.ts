import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";

/** One POST the webhook received. */
export interface ReceivedCall {
  eventType: string | undefined;
  headers: IncomingMessage["headers"];
  body: string;
}

export interface RecordingWebhookOptions {
  /** Serve https with this certificate (PEM), else plain http. */
  tls?: { certPem: string; keyPem: string };
  /**
   * Decides the status for each notification (1-based count of calls so far);
   * default 200. Validation calls are answered with the echoed code unless
   * `refuseValidation` is set.
   */
  statusFor?: (call: ReceivedCall, index: number) => number;
  refuseValidation?: boolean;
}

export interface RecordingWebhook {
  url: string;
  calls: ReceivedCall[];
  /** Resolves once `count` calls of the given aeg-event-type arrived (or rejects after timeoutMs). */
  waitFor(eventType: string, count: number, timeoutMs?: number): Promise<ReceivedCall[]>;
  close(): Promise<void>;
}

/**
 * A minimal Event Grid webhook subscriber, for tests and local debugging:
 * answers the subscription-validation handshake as Azure Functions' Event
 * Grid extension does and records every call it receives.
 */
export async function startRecordingWebhook(options: RecordingWebhookOptions = {}): Promise<RecordingWebhook> {
  const calls: ReceivedCall[] = [];
  const waiters: Array<() => void> = [];
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const header = req.headers["aeg-event-type"];
      const call: ReceivedCall = {
        eventType: Array.isArray(header) ? header[0] : header,
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      calls.push(call);
      if (call.eventType === "SubscriptionValidation") {
        const code = validationCodeOf(call.body);
        if (options.refuseValidation || code === undefined) {
          res.writeHead(400).end();
        } else {
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ validationResponse: code }));
        }
      } else {
        const index = calls.filter((c) => c.eventType === call.eventType).length;
        res.writeHead(options.statusFor?.(call, index) ?? 200).end();
      }
      for (const wake of waiters.splice(0)) wake();
    });
  };
  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.certPem, key: options.tls.keyPem }, handler)
    : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `${options.tls ? "https" : "http"}://${options.tls ? "localhost" : "127.0.0.1"}:${port}/api/events`;

  return {
    url,
    calls,
    waitFor(eventType, count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`waited ${timeoutMs} ms for ${count} ${eventType} call(s), got ${matching().length}`)),
          timeoutMs,
        );
        const matching = (): ReceivedCall[] => calls.filter((c) => c.eventType === eventType);
        const check = (): void => {
          if (matching().length >= count) {
            clearTimeout(timer);
            resolve(matching());
          } else {
            waiters.push(check);
          }
        };
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function validationCodeOf(body: string): string | undefined {
  try {
    const events = JSON.parse(body) as Array<{ eventType?: string; data?: { validationCode?: unknown } }>;
    const code = events[0]?.data?.validationCode;
    return events[0]?.eventType === "Microsoft.EventGrid.SubscriptionValidationEvent" && typeof code === "string"
      ? code
      : undefined;
  } catch {
    return undefined;
  }
}

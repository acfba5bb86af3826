import { setTimeout as sleep } from "node:timers/promises";
import type { DequeuedMessageItem, QueueClient } from "@azure/storage-queue";
import type { QueueOptions } from "../host-json";
import type { QueueFunction } from "../host-function";
import type { Invoker } from "../invocation";
import type { ScopedLog } from "../logger";
import { decodeMessage, type QueueClients } from "./queue-clients";

export interface QueueListenerOptions {
  fn: QueueFunction;
  queues: QueueClients;
  invoker: Invoker;
  options: QueueOptions;
  log: ScopedLog;
  /**
   * How long a received message stays invisible while its function runs; it
   * is renewed at half this interval, as the WebJobs SDK does (10 min there).
   * If the host dies, the message reappears after at most this long.
   */
  messageLeaseMs: number;
}

export interface RunningQueueListener {
  /** Stops receiving; waits for the messages in hand to be settled. */
  stop(): Promise<void>;
}

const MIN_POLL_MS = 100;

/** The trigger metadata the Functions runtime gives queue-triggered functions. */
function triggerMetadata(message: DequeuedMessageItem, popReceipt: string): Record<string, unknown> {
  return {
    id: message.messageId,
    dequeueCount: message.dequeueCount,
    insertionTime: message.insertedOn.toISOString(),
    expirationTime: message.expiresOn.toISOString(),
    nextVisibleTime: message.nextVisibleOn.toISOString(),
    popReceipt,
  };
}

/** Like the worker: JSON messages arrive parsed, anything else as a string. */
function toTriggerInput(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Polls one queue with host.json's semantics: receive up to batchSize, fetch
 * again once in-flight messages drop to newBatchThreshold, back off
 * exponentially to maxPollingInterval when empty. A success deletes the
 * message; a failure makes it visible again after visibilityTimeout, or moves
 * it to `<queue>-poison` once its dequeueCount reaches maxDequeueCount.
 */
export function startQueueListener(listener: QueueListenerOptions): RunningQueueListener {
  const { fn, queues, invoker, options, log } = listener;
  const abort = new AbortController();
  const inFlight = new Set<Promise<void>>();
  const leaseSeconds = Math.max(1, Math.ceil(listener.messageLeaseMs / 1000));
  let wake: (() => void) | undefined;

  async function moveToPoison(
    queue: QueueClient,
    message: DequeuedMessageItem,
    popReceipt: string,
    why: string,
  ): Promise<void> {
    const poisonName = `${fn.queueName}-poison`;
    const poison = await queues.queue(fn.connection, poisonName);
    await poison.sendMessage(message.messageText);
    await queue.deleteMessage(message.messageId, popReceipt);
    log(
      "warning",
      `message ${message.messageId} moved to ${poisonName} after ${message.dequeueCount} dequeue(s): ${why}`,
      {
        queueName: fn.queueName,
        messageId: message.messageId,
        dequeueCount: message.dequeueCount,
      },
    );
  }

  async function handleMessage(queue: QueueClient, message: DequeuedMessageItem): Promise<void> {
    let popReceipt = message.popReceipt;
    // Renew the lease while the function runs so a long invocation is not delivered twice.
    const renew = setInterval(
      () => {
        queue
          .updateMessage(message.messageId, popReceipt, undefined, leaseSeconds)
          .then((r) => (popReceipt = r.popReceipt ?? popReceipt))
          .catch((error: unknown) =>
            log("warning", `could not renew message ${message.messageId}: ${(error as Error).message}`),
          );
      },
      (leaseSeconds * 1000) / 2,
    );
    let failure: string | undefined;
    try {
      if (message.dequeueCount > options.maxDequeueCount) {
        // Already failed maxDequeueCount times (e.g. a host that kept dying): do not run it again.
        failure = `dequeueCount ${message.dequeueCount} exceeds maxDequeueCount ${options.maxDequeueCount}`;
      } else {
        let input: unknown;
        try {
          input = toTriggerInput(decodeMessage(message.messageText, options.messageEncoding));
        } catch (error) {
          failure = (error as Error).message;
          log("error", `message ${message.messageId} on ${fn.queueName}: ${failure}`, { functionName: fn.name });
        }
        if (failure === undefined) {
          const result = await invoker.invoke(
            fn,
            input,
            triggerMetadata(message, popReceipt),
            `New queue message detected on '${fn.queueName}'.`,
          );
          if (!result.ok) failure = result.error?.message ?? "function failed";
        }
      }
    } finally {
      clearInterval(renew);
    }
    try {
      if (failure === undefined) {
        await queue.deleteMessage(message.messageId, popReceipt);
      } else if (message.dequeueCount >= options.maxDequeueCount) {
        await moveToPoison(queue, message, popReceipt, failure);
      } else {
        await queue.updateMessage(
          message.messageId,
          popReceipt,
          undefined,
          Math.ceil(options.visibilityTimeoutMs / 1000),
        );
      }
    } catch (error) {
      // The lease may have expired (another receive owns it now); that delivery will settle it.
      log("warning", `could not settle message ${message.messageId} on ${fn.queueName}: ${(error as Error).message}`);
    }
  }

  async function poll(): Promise<void> {
    let delay = MIN_POLL_MS;
    let queue: QueueClient | undefined;
    while (!abort.signal.aborted) {
      if (inFlight.size > options.newBatchThreshold) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      let received: DequeuedMessageItem[] = [];
      try {
        queue ??= await queues.queue(fn.connection, fn.queueName);
        const response = await queue.receiveMessages({
          numberOfMessages: options.batchSize,
          visibilityTimeout: leaseSeconds,
          abortSignal: abort.signal,
        });
        received = response.receivedMessageItems;
      } catch (error) {
        if (abort.signal.aborted) break;
        log("warning", `receiving from ${fn.queueName} failed: ${(error as Error).message}`);
      }
      if (received.length === 0) {
        await sleep(delay, undefined, { signal: abort.signal }).catch(() => undefined);
        delay = Math.min(delay * 2, options.maxPollingIntervalMs);
        continue;
      }
      delay = MIN_POLL_MS;
      for (const message of received) {
        if (!queue) break;
        const work: Promise<void> = handleMessage(queue, message).finally(() => {
          inFlight.delete(work);
          wake?.();
          wake = undefined;
        });
        inFlight.add(work);
      }
    }
  }

  const loop = poll().catch((error: unknown) =>
    log("error", `queue listener for ${fn.name} stopped: ${(error as Error).message}`),
  );
  return {
    async stop() {
      abort.abort();
      wake?.();
      await loop;
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

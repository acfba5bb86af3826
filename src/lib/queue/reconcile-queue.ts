import { QueueClient, type StoragePipelineOptions } from "@azure/storage-queue";
import type { TokenCredential } from "@azure/core-auth";
import type { StorageConnection } from "../config";
import type { ReconcileRequest } from "./messages";

/** The queue's longest visibility delay (7 days). */
const MAX_DELAY_SECONDS = 7 * 24 * 3600;

/** Sends reconcile requests the way the Functions host reads them (host.json: messageEncoding base64). */
export class ReconcileQueue {
  constructor(public readonly client: QueueClient) {}

  async send(request: ReconcileRequest, delayMs = 0): Promise<void> {
    const body = Buffer.from(JSON.stringify(request), "utf8").toString("base64");
    const visibilityTimeout = Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(delayMs / 1000)));
    await this.client.sendMessage(body, visibilityTimeout > 0 ? { visibilityTimeout } : {});
  }
}

export function createQueueClient(
  connection: StorageConnection,
  queueName: string,
  credential?: TokenCredential,
): QueueClient {
  if (connection.connectionString) {
    const options: StoragePipelineOptions = {};
    return new QueueClient(connection.connectionString, queueName, options);
  }
  if (!connection.queueServiceUri || !credential) {
    throw new Error(
      "queue storage needs AzureWebJobsStorage or AzureWebJobsStorage__queueServiceUri with a credential",
    );
  }
  return new QueueClient(`${connection.queueServiceUri.replace(/\/+$/, "")}/${queueName}`, credential);
}

/** Decodes a message as the host would (base64 JSON); used by tests and the local host's stand-ins. */
export function decodeQueueMessage(text: string): unknown {
  const decoded = Buffer.from(text, "base64").toString("utf8");
  try {
    return JSON.parse(decoded) as unknown;
  } catch {
    return decoded;
  }
}

import { DefaultAzureCredential } from "@azure/identity";
import { QueueClient, QueueServiceClient } from "@azure/storage-queue";

type Settings = Readonly<Record<string, string | undefined>>;

/**
 * Queue clients for the storage connections bindings name, created once per
 * connection and queue. A connection is a connection string in the setting
 * of its name, or identity-based (`{name}__queueServiceUri`, optional
 * `{name}__clientId`) as on Azure.
 */
export class QueueClients {
  private readonly services = new Map<string, QueueServiceClient>();
  private readonly queues = new Map<string, Promise<QueueClient>>();

  constructor(private readonly settings: Settings) {}

  private service(connection: string): QueueServiceClient {
    let service = this.services.get(connection);
    if (!service) {
      const connectionString = this.settings[connection];
      const serviceUri = this.settings[`${connection}__queueServiceUri`] ?? this.settings[`${connection}__serviceUri`];
      if (connectionString) {
        service = QueueServiceClient.fromConnectionString(connectionString);
      } else if (serviceUri) {
        const clientId = this.settings[`${connection}__clientId`];
        service = new QueueServiceClient(
          serviceUri,
          new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {}),
        );
      } else {
        throw new Error(`storage connection "${connection}" is not configured`);
      }
      this.services.set(connection, service);
    }
    return service;
  }

  /** The queue, created if missing (as the runtime does for triggers, outputs and poison queues). */
  queue(connection: string, queueName: string): Promise<QueueClient> {
    const key = `${connection}\u0000${queueName}`;
    let queue = this.queues.get(key);
    if (!queue) {
      const client = this.service(connection).getQueueClient(queueName);
      queue = client.createIfNotExists().then(() => client);
      queue.catch(() => this.queues.delete(key));
      this.queues.set(key, queue);
    }
    return queue;
  }
}

/** Encodes a message body as host.json's messageEncoding says. */
export function encodeMessage(text: string, encoding: "base64" | "none"): string {
  return encoding === "base64" ? Buffer.from(text, "utf8").toString("base64") : text;
}

/** Decodes a received message; a base64 queue that holds non-base64 text is an error naming the message. */
export function decodeMessage(text: string, encoding: "base64" | "none"): string {
  if (encoding === "none") return text;
  const compact = text.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    throw new Error(`message is not base64 although host.json messageEncoding is "base64"`);
  }
  return Buffer.from(compact, "base64").toString("utf8");
}

import type { TableClient, TransactionAction } from "@azure/data-tables";

/** One entity transaction holds at most 100 operations on one partition (Table Storage's batch limit). */
const MAX_BATCH = 100;

interface Waiting {
  entity: { partitionKey: string; rowKey: string } & Record<string, unknown>;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit of rows into one partition: rows added while a commit of that
 * partition is on the wire go out together in the next one, each caller
 * answered when its own row is stored. An Event Grid delivery invokes the
 * function for all its events at once (the extension's single dispatch
 * starts every execution, then awaits them all), and the events of one
 * delivery name a few services: thousands of merged triggers become tens of
 * transactions instead of thousands of requests.
 */
export class PartitionBatcher {
  private readonly waiting = new Map<string, Waiting[]>();
  private readonly flushing = new Set<string>();

  constructor(private readonly table: TableClient) {}

  add(entity: Waiting["entity"]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const key = entity.partitionKey;
      const queue = this.waiting.get(key) ?? [];
      queue.push({ entity, resolve, reject });
      this.waiting.set(key, queue);
      if (!this.flushing.has(key)) {
        this.flushing.add(key);
        // Next turn of the event loop: rows added by the invocations started in this turn join the first commit.
        setImmediate(() => void this.flush(key));
      }
    });
  }

  private async flush(key: string): Promise<void> {
    for (;;) {
      const batch = this.waiting.get(key) ?? [];
      this.waiting.delete(key);
      if (batch.length === 0) break;
      await Promise.all(
        chunks(batch, MAX_BATCH).map(async (chunk) => {
          try {
            const actions: TransactionAction[] = chunk.map((w) => ["create", w.entity]);
            await (actions.length === 1
              ? this.table.createEntity(chunk[0]!.entity)
              : this.table.submitTransaction(actions));
            chunk.forEach((w) => w.resolve());
          } catch (error) {
            chunk.forEach((w) => w.reject(error));
          }
        }),
      );
    }
    this.flushing.delete(key);
  }
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

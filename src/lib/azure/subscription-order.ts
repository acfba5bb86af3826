import { parseResourceId } from "./resource-id";

/**
 * The order to start services in: round-robin over their subscriptions.
 * ARM throttles each subscription on its own, so the first services worked
 * (the CLI's --concurrency, the app's first queue batches) should draw on as
 * many subscriptions' buckets as there are; in listing order they would all
 * come from the first subscription (up to 15 services) while the others'
 * buckets stand idle. Returns indexes into `serviceIds`.
 */
export function roundRobinBySubscription(serviceIds: readonly string[]): number[] {
  const queues = new Map<string, number[]>();
  serviceIds.forEach((id, i) => {
    const sub = parseResourceId(id).subscriptionId.toLowerCase();
    queues.set(sub, [...(queues.get(sub) ?? []), i]);
  });
  const order: number[] = [];
  const lists = [...queues.values()];
  for (let round = 0; order.length < serviceIds.length; round++)
    for (const list of lists) if (round < list.length) order.push(list[round] as number);
  return order;
}

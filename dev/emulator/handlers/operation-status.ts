import { notFound } from "../arm-error";
import type { LroOperation } from "../lro";
import { reply, type Handler, type HandlerContext, type Reply } from "./types";

/**
 * The status URLs handed out with 202: `Azure-AsyncOperation` points at the
 * spec's OperationStatus_Get (status body), `Location` at an operation-result
 * URL that answers 202 while running and the final resource when done (what
 * core-lro reads last for a PATCH without final-state-via).
 */
export function asyncOperationUrl(
  armEndpoint: string,
  op: LroOperation,
  resourceGroup: string,
  serviceName: string,
): string {
  return `${armEndpoint}/subscriptions/${op.subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.StorageSync/locations/${encodeURIComponent(op.location)}/workflows/${encodeURIComponent(`${serviceName}`)}/operations/${op.id}`;
}

export function locationUrl(armEndpoint: string, op: LroOperation): string {
  return `${armEndpoint}/subscriptions/${op.subscriptionId}/providers/Microsoft.StorageSync/locations/${encodeURIComponent(op.location)}/operationresults/${op.id}`;
}

/** Route of the Location URL (not in the spec: ARM's operationresults are provider-private). */
export const OPERATION_RESULT_PATH =
  /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.StorageSync\/locations\/([^/]+)\/operationresults\/([^/]+)$/i;
export const OPERATION_RESULT_ID = "StorageSync_OperationResults";

function requireOperation(ctx: HandlerContext, id: string | undefined): LroOperation {
  ctx.core.settle();
  const op = id ? ctx.core.lro.get(id) : undefined;
  if (!op || op.subscriptionId.toLowerCase() !== (ctx.params.subscriptionId ?? "").toLowerCase()) {
    throw notFound(`Microsoft.StorageSync/locations/${ctx.params.locationName}/operations/${id}`);
  }
  return op;
}

function statusBody(op: LroOperation, withId: boolean): Record<string, unknown> {
  return {
    ...(withId ? { id: op.resourceId } : {}),
    name: op.id,
    status: op.status,
    startTime: op.startTime,
    ...(op.endTime ? { endTime: op.endTime } : {}),
    ...(op.error ? { error: { code: op.error.code, message: op.error.message } } : {}),
    ...(withId ? { percentComplete: op.status === "InProgress" ? 50 : 100 } : {}),
  };
}

export const operationStatusHandlers: Record<string, Handler> = {
  OperationStatus_Get: (ctx) => reply(200, statusBody(requireOperation(ctx, ctx.params.operationId), false)),
  LocationOperationStatus: (ctx) => reply(200, statusBody(requireOperation(ctx, ctx.params.operationId), true)),
};

/** GET of a Location URL: 202 while running, then the final answer of the write (or its error). */
export function operationResult(ctx: HandlerContext, operationId: string): Reply {
  const op = requireOperation(ctx, operationId);
  if (op.status === "InProgress") {
    return {
      kind: "reply",
      status: 202,
      headers: {
        "Retry-After": String(ctx.core.delays.retryAfterSeconds),
        Location: locationUrl(ctx.core.armEndpoint, op),
      },
    };
  }
  if (op.error) throw op.error;
  const result = op.result ?? { status: 204 };
  return reply(result.status === 200 && result.body === undefined ? 204 : result.status, result.body);
}

import type { ServiceClient } from "@azure/core-client";
import { createHttpPoller, type LongRunningOperation, type LroResponse } from "@azure/core-lro";
import type { HttpMethods } from "@azure/core-rest-pipeline";
import { ArmOperationError } from "./arm-error";
import { sendArmJson, type ArmJsonResponse } from "./arm-request";

/**
 * A long-running ARM write (PUT/PATCH) driven by @azure/core-lro: a 200 with a
 * body finishes at once; a 202 with Azure-AsyncOperation and/or Location (and
 * Retry-After) is polled until it ends. The Storage Sync specs declare no
 * final-state-via, so callers read the resource again afterwards.
 */

export interface LongRunningWriteResult {
  /** Status of the initial response (200, 201 or 202). */
  initialStatus: number;
  /** x-ms-request-id of the initial write. */
  requestId?: string;
}

function toLroResponse(response: ArmJsonResponse): LroResponse {
  return {
    flatResponse: response.body,
    rawResponse: { statusCode: response.status, headers: response.headers, body: response.body },
  };
}

const FAILED_LRO = /^The long-running operation has failed\. ([^.]+)\. ([\s\S]*)$/;

export async function sendLongRunningWrite(
  client: ServiceClient,
  method: HttpMethods,
  url: string,
  body: unknown,
  options: { pollIntervalMs: number; abortSignal?: AbortSignal; clientRequestId?: string },
): Promise<LongRunningWriteResult> {
  let initial: ArmJsonResponse | undefined;
  const lro: LongRunningOperation = {
    requestMethod: method,
    requestPath: url,
    sendInitialRequest: async () => {
      initial = await sendArmJson(client, method, url, {
        body,
        abortSignal: options.abortSignal,
        clientRequestId: options.clientRequestId,
      });
      return toLroResponse(initial);
    },
    sendPollRequest: async (path) =>
      toLroResponse(await sendArmJson(client, "GET", path, { abortSignal: options.abortSignal })),
  };
  const poller = await createHttpPoller(lro, { intervalInMs: options.pollIntervalMs });
  try {
    await poller.pollUntilDone({ abortSignal: options.abortSignal });
  } catch (error) {
    // core-lro reports a Failed operation as a plain Error carrying "code. message".
    const match = error instanceof Error ? FAILED_LRO.exec(error.message) : null;
    if (match) {
      throw new ArmOperationError({
        code: match[1] ?? "OperationFailed",
        message: match[2] ?? "",
        requestId: initial?.requestId,
      });
    }
    throw error;
  }
  return { initialStatus: initial?.status ?? 0, requestId: initial?.requestId };
}

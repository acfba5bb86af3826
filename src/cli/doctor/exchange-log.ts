import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { APP_SETTINGS_LIST_PATH } from "./read-only-guard";

/** One ARM answer as the doctor received it, for the conformance checks. */
export interface ArmExchange {
  method: string;
  /** Path without query, as sent. */
  path: string;
  apiVersion?: string;
  status: number;
  requestId?: string;
  body: unknown;
}

function parse(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * App setting values never reach the doctor's code: the answer of the
 * settings list is rewritten here, every value emptied, before the SDK or
 * the log sees it. Only the names are checked.
 */
function withoutSettingValues(body: unknown): unknown {
  if (typeof body !== "object" || body === null) return body;
  const properties = (body as { properties?: unknown }).properties;
  if (typeof properties !== "object" || properties === null) return body;
  return { ...body, properties: Object.fromEntries(Object.keys(properties).map((name) => [name, ""])) };
}

/** Records every ARM answer that passes through the connection's clients. */
export class ExchangeLog {
  readonly exchanges: ArmExchange[] = [];

  policy(): PipelinePolicy {
    return {
      name: "doctorExchangeLog",
      sendRequest: async (request, next) => {
        const response = await next(request);
        const url = new URL(request.url);
        let body = parse(response.bodyAsText ?? undefined);
        if (APP_SETTINGS_LIST_PATH.test(url.pathname)) {
          body = withoutSettingValues(body);
          response.bodyAsText = body === undefined ? response.bodyAsText : JSON.stringify(body);
        }
        this.exchanges.push({
          method: request.method,
          path: url.pathname,
          apiVersion: url.searchParams.get("api-version") ?? undefined,
          status: response.status,
          requestId: response.headers.get("x-ms-request-id") ?? undefined,
          body,
        });
        return response;
      },
    };
  }

  /** The last answer to a GET of this path (case-insensitive), for evidence. */
  find(method: string, path: string): ArmExchange | undefined {
    const key = path.toLowerCase().replace(/\/+$/, "");
    return [...this.exchanges]
      .reverse()
      .find((e) => e.method === method && e.path.toLowerCase().replace(/\/+$/, "") === key);
  }
}

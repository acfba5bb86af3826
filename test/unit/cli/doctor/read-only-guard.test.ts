import {
  createHttpHeaders,
  createPipelineRequest,
  type HttpMethods,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { readOnlyGuardPolicy, WriteRefusedError } from "../../../../src/cli/doctor/read-only-guard";

const SITE = "https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/app";

async function send(method: HttpMethods, url: string): Promise<"sent" | Error> {
  const request = createPipelineRequest({ url, method });
  const next = (r: typeof request): Promise<PipelineResponse> =>
    Promise.resolve({ request: r, status: 200, headers: createHttpHeaders() });
  try {
    await readOnlyGuardPolicy().sendRequest(request, next);
    return "sent";
  } catch (error) {
    return error as Error;
  }
}

describe("the doctor's read-only guard", () => {
  it("lets GETs and the app settings list through", async () => {
    expect(await send("GET", `${SITE}?api-version=2024-04-01`)).toBe("sent");
    expect(await send("POST", `${SITE}/config/appsettings/list?api-version=2024-04-01`)).toBe("sent");
  });

  it("refuses every write and every other action before it is sent", async () => {
    for (const [method, url] of [
      ["PUT", `${SITE}/config/appsettings`],
      ["PATCH", SITE],
      ["DELETE", SITE],
      ["POST", `${SITE}/restart`],
      ["POST", `${SITE}/config/appsettings/list/extra`],
    ] as const) {
      const result = await send(method, url);
      expect(result, `${method} ${url}`).toBeInstanceOf(WriteRefusedError);
    }
  });
});

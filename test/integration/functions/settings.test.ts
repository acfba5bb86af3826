import { HttpRequest, InvocationContext } from "@azure/functions";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { armEvents } from "../../../src/functions/armEvents";
import { reconcileHttp } from "../../../src/functions/reconcileHttp";
import { reconcileWorker } from "../../../src/functions/reconcileWorker";
import { servicesHttp } from "../../../src/functions/servicesHttp";

/** A bad setting fails every entry point with a message naming it, and nothing is half-started. */
describe("settings at the entry points", () => {
  it("a bad setting is named by the error of any function; once fixed, the next invocation starts cleanly", async () => {
    const suffix = randomBytes(4).toString("hex");
    Object.assign(process.env, {
      AzureWebJobsStorage: inject("azuriteConnectionString"),
      MANAGED_SCOPES: "/subscriptions/11111111-1111-4111-8111-111111111111",
      RECONCILE_QUEUE_NAME: `settings-${suffix}`,
      TABLE_NAME_PREFIX: `s${suffix}`,
      ACTIVATION_WINDOW: "one hour",
      DISCOVERY_RECHECK_DELAYS: "PT2M,soon",
    });
    await expect(servicesHttp()).rejects.toThrow(/ACTIVATION_WINDOW.*ISO 8601[\s\S]*DISCOVERY_RECHECK_DELAYS/);
    await expect(reconcileWorker({}, new InvocationContext({ triggerMetadata: { dequeueCount: 1 } }))).rejects.toThrow(
      /ACTIVATION_WINDOW/,
    );
    // Thrown, not acknowledged: Event Grid and the HTTP caller see a failure and the event is delivered again.
    const event = {
      id: "e1",
      eventType: "Microsoft.Resources.ResourceWriteSuccess",
      subject: "s",
      data: { operationName: "x", resourceUri: "/subscriptions/x" },
    };
    await expect(armEvents(event as never, new InvocationContext())).rejects.toThrow(/ACTIVATION_WINDOW/);
    const post = new HttpRequest({
      method: "POST",
      url: "https://afs.example.net/api/reconcile",
      body: { string: '{"all":true}' },
    });
    await expect(reconcileHttp(post, new InvocationContext())).rejects.toThrow(/DISCOVERY_RECHECK_DELAYS/);

    process.env.ACTIVATION_WINDOW = "PT15M";
    process.env.DISCOVERY_RECHECK_DELAYS = "PT2M";
    const response = await servicesHttp();
    expect(response.status).toBe(200);
    expect(response.jsonBody).toMatchObject({ services: [] });
  });
});

import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { captureRegistrations, type RegisteredFunction } from "../../../dev/host/capture-registrations";
import { APP_BUNDLE, appEntryModules } from "../../../dev/package/bundle";
import { validateRegistrations } from "../../../dev/host/validate-registrations";
import { HOST_MAX_DEQUEUE_COUNT } from "../../../src/lib/composition/app-deps";
import { SETTING_NAMES } from "../../../src/lib/config";

/**
 * What every app.*() call registers, captured through a stand-in for the
 * worker's @azure/functions-core: the bindings a real host needs.
 */
const root = path.resolve(__dirname, "../../..");
const functionsDir = path.join(root, "src/functions");
const sources = readdirSync(functionsDir)
  .filter((f) => f.endsWith(".ts"))
  .sort();
const registrations = captureRegistrations(sources.map((f) => path.join(functionsDir, f)));
const byName = new Map(registrations.map((r) => [r.name, r]));
const binding = (r: RegisteredFunction | undefined) => r?.trigger;
const sampleSettings = (
  JSON.parse(readFileSync(path.join(root, "local.settings.sample.json"), "utf8")) as { Values: Record<string, string> }
).Values;

describe("function registrations", () => {
  it("every file in src/functions registers exactly one function named after it", () => {
    expect(registrations.map((r) => r.name).sort()).toEqual(sources.map((f) => f.replace(/\.ts$/, "")).sort());
  });

  it("reconcilePoison reads the reconcile queue's poison queue through AzureWebJobsStorage", () => {
    expect(binding(byName.get("reconcilePoison"))).toMatchObject({
      type: "queueTrigger",
      queueName: "%RECONCILE_QUEUE_NAME%-poison",
      connection: "AzureWebJobsStorage",
    });
  });

  it("armEvents is an Event Grid trigger", () => {
    expect(binding(byName.get("armEvents"))?.type).toBe("eventGridTrigger");
  });

  it("reconcileWorker reads the reconcile queue through AzureWebJobsStorage", () => {
    expect(binding(byName.get("reconcileWorker"))).toMatchObject({
      type: "queueTrigger",
      queueName: "%RECONCILE_QUEUE_NAME%",
      connection: "AzureWebJobsStorage",
    });
  });

  it("the timers take their schedules from settings", () => {
    expect(binding(byName.get("activationCheck"))).toMatchObject({
      type: "timerTrigger",
      schedule: "%ACTIVATION_CHECK_SCHEDULE%",
    });
    expect(binding(byName.get("fullSweep"))).toMatchObject({ type: "timerTrigger", schedule: "%FULL_SWEEP_SCHEDULE%" });
  });

  it.each([
    ["reconcileHttp", "reconcile", ["POST"]],
    ["servicesHttp", "services", ["GET"]],
    ["serviceHttp", "service", ["GET"]],
    ["serversHttp", "servers", ["GET"]],
    ["runHttp", "runs/{runId}", ["GET"]],
    ["openApiHttp", "openapi.json", ["GET"]],
  ])("%s is an HTTP route %s with a function key", (name, route, methods) => {
    const r = byName.get(name);
    expect(binding(r)).toMatchObject({ type: "httpTrigger", authLevel: "function", route, methods });
    expect(Object.values(r?.metadata.bindings ?? {}).some((b) => b.type === "http" && b.direction === "out")).toBe(
      true,
    );
  });

  it("the local host accepts them with the sample settings (setting references resolve, schedules parse)", () => {
    expect(() => validateRegistrations(registrations, sampleSettings)).not.toThrow();
  });

  it("package.json main is the app bundle, whose entry loads index.ts and every function source", () => {
    const main = (JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { main: string }).main;
    expect(main).toBe(`dist/deploy/${APP_BUNDLE}`);
    expect(appEntryModules(root)).toEqual(["src/index.ts", ...sources.map((f) => `src/functions/${f}`)]);
  });
});

describe("host.json and settings stay in step with the code", () => {
  it("the worker's idea of the last attempt is host.json's maxDequeueCount", () => {
    const host = JSON.parse(readFileSync(path.join(root, "host.json"), "utf8")) as {
      extensions: { queues: { maxDequeueCount: number } };
    };
    expect(host.extensions.queues.maxDequeueCount).toBe(HOST_MAX_DEQUEUE_COUNT);
  });

  it("local.settings.sample.json lists every setting the app reads", () => {
    for (const name of SETTING_NAMES) expect(Object.keys(sampleSettings)).toContain(name);
  });
});

describe("README.md", () => {
  const doc = readFileSync(path.join(root, "README.md"), "utf8");
  it("has a row for exactly the settings the app reads", () => {
    const start = doc.indexOf("## Configuration");
    const section = doc.slice(start, doc.indexOf("\n## ", start + 3));
    const documented = [...section.matchAll(/^\| `([A-Za-z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...SETTING_NAMES].sort());
  });
});

describe("docs/http-api.md", () => {
  const doc = readFileSync(path.join(root, "docs/http-api.md"), "utf8");
  it("documents every HTTP route", () => {
    for (const r of registrations.filter((x) => x.trigger.type === "httpTrigger")) {
      const route = String(r.trigger.route);
      expect(doc).toContain(`/api/${route}`);
    }
  });
});

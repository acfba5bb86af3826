import { describe, expect, it } from "vitest";
import { resolveSettingReferences } from "../../../../dev/host/app-settings";
import type { RegisteredFunction } from "../../../../dev/host/registered-function";
import { InvalidRegistrationsError, validateRegistrations } from "../../../../dev/host/validate-registrations";

function registration(
  name: string,
  trigger: Record<string, unknown>,
  extra: Record<string, Record<string, unknown>> = {},
): RegisteredFunction {
  const bindings = { [`${name}Trigger`]: { direction: "in" as const, type: String(trigger.type), ...trigger } };
  for (const [key, value] of Object.entries(extra)) Object.assign(bindings, { [key]: { direction: "out", ...value } });
  return {
    name,
    metadata: { name, bindings },
    trigger: { bindingName: `${name}Trigger`, type: String(trigger.type), ...trigger },
    handler: async () => undefined,
  };
}

const settings = { AzureWebJobsStorage: "UseDevelopmentStorage=true", QUEUE: "reconcile", EVERY: "0 */5 * * * *" };

describe("resolveSettingReferences", () => {
  it("replaces %NAME% from the settings and names missing ones", () => {
    expect(resolveSettingReferences("%QUEUE%-x", settings)).toBe("reconcile-x");
    expect(() => resolveSettingReferences("%NOPE%", settings)).toThrow(/%NOPE%/);
  });
});

describe("validateRegistrations", () => {
  it("resolves queue names and schedules, defaults routes and methods", () => {
    const fns = validateRegistrations(
      [
        registration("worker", { type: "queueTrigger", queueName: "%QUEUE%", connection: "AzureWebJobsStorage" }),
        registration("tick", { type: "timerTrigger", schedule: "%EVERY%" }),
        registration("status", { type: "httpTrigger", authLevel: "function" }, { $return: { type: "http" } }),
        registration("events", { type: "eventGridTrigger" }),
      ],
      settings,
    );
    expect(fns.map((f) => f.kind)).toEqual(["queue", "timer", "http", "eventGrid"]);
    expect(fns[0]).toMatchObject({ queueName: "reconcile", connection: "AzureWebJobsStorage" });
    expect(fns[1]).toMatchObject({ schedule: "0 */5 * * * *", runOnStartup: false });
    expect(fns[2]).toMatchObject({ route: "status", methods: ["GET", "POST"], authLevel: "function" });
  });

  it("collects every problem: unknown trigger, bad queue name, 5-field cron, unset connection, duplicate route, unsupported output", () => {
    const attempt = () =>
      validateRegistrations(
        [
          registration("blob", { type: "blobTrigger", path: "x/{name}" }),
          registration("q", { type: "queueTrigger", queueName: "Bad_Name" }),
          registration("t", { type: "timerTrigger", schedule: "*/5 * * * *" }),
          registration("c", { type: "queueTrigger", queueName: "ok-queue", connection: "OtherStorage" }),
          registration("a", { type: "httpTrigger", route: "x", methods: ["GET"] }),
          registration("b", { type: "httpTrigger", route: "X", methods: ["GET"] }),
          registration("o", { type: "eventGridTrigger" }, { out: { type: "table" } }),
        ],
        settings,
      );
    expect(attempt).toThrow(InvalidRegistrationsError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as InvalidRegistrationsError).problems.join("\n");
      expect(problems).toMatch(/"blob": trigger type "blobTrigger"/);
      expect(problems).toMatch(/"q": queueName "Bad_Name"/);
      expect(problems).toMatch(/"t": schedule .* six-field/);
      expect(problems).toMatch(/"c": connection "OtherStorage" is not configured/);
      expect(problems).toMatch(/"b": route GET x is already served by "a"/);
      expect(problems).toMatch(/"o": output binding "out" of type "table"/);
    }
  });

  it("refuses an app that registers nothing", () => {
    expect(() => validateRegistrations([], settings)).toThrow(/registers no function/);
  });
});

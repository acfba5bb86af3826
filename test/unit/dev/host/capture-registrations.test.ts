import path from "node:path";
import { InvocationContext } from "@azure/functions";
import { describe, expect, it } from "vitest";
import { captureRegistrations, expandBraces, resolveMainFiles } from "../../../../dev/host/capture-registrations";

const fixtureApp = path.join(__dirname, "fixtures", "app");

describe("resolveMainFiles", () => {
  it("expands package.json main's glob to the function files, sorted", () => {
    const files = resolveMainFiles(fixtureApp).map((f) => path.relative(fixtureApp, f));
    expect(files).toEqual([
      path.join("functions", "background.ts"),
      path.join("functions", "hello.ts"),
      path.join("functions", "hooks.ts"),
    ]);
  });

  it("names the glob and says to build when nothing matches", () => {
    expect(() => resolveMainFiles(path.join(__dirname, "fixtures", "unbuilt-app"))).toThrow(
      /"main" \(dist\/functions\/\*\.js\) matches no file.*npm run build/,
    );
  });

  it("reads {a,b} alternatives as the Functions host does (the azd quickstart's dist/{index.js,functions/*.js})", () => {
    expect(expandBraces("dist/{index.js,functions/*.js}")).toEqual(["dist/index.js", "dist/functions/*.js"]);
    expect(expandBraces("{a,b}/{c,d}")).toEqual(["a/c", "a/d", "b/c", "b/d"]);
    expect(expandBraces("dist/functions/*.js")).toEqual(["dist/functions/*.js"]);
  });

  it("needs a package.json", () => {
    expect(() => resolveMainFiles(path.join(__dirname, "fixtures"))).toThrow(/package\.json/);
  });
});

describe("captureRegistrations", () => {
  it("records every function with its metadata, trigger binding and handler", () => {
    const functions = captureRegistrations(resolveMainFiles(fixtureApp));
    expect(functions.map((f) => f.name).sort()).toEqual(["events", "hello", "publicEcho", "tick", "work"]);

    const hello = functions.find((f) => f.name === "hello");
    expect(hello?.trigger).toMatchObject({
      type: "httpTrigger",
      authLevel: "function",
      route: "hello/{name}",
      methods: ["GET", "POST"],
    });
    expect(hello?.metadata.bindings[hello.trigger.bindingName]?.direction).toBe("in");
    expect(Object.values(hello?.metadata.bindings ?? {}).some((b) => b.type === "http" && b.direction === "out")).toBe(
      true,
    );

    const work = functions.find((f) => f.name === "work");
    expect(work?.trigger).toMatchObject({
      type: "queueTrigger",
      queueName: "%FIXTURE_QUEUE%",
      connection: "AzureWebJobsStorage",
    });
    expect(functions.find((f) => f.name === "tick")?.trigger).toMatchObject({
      type: "timerTrigger",
      schedule: "%FIXTURE_SCHEDULE%",
      runOnStartup: true,
    });
    expect(functions.find((f) => f.name === "events")?.trigger.type).toBe("eventGridTrigger");
  });

  it("can capture the same app twice in one process", () => {
    const first = captureRegistrations(resolveMainFiles(fixtureApp)).length;
    const second = captureRegistrations(resolveMainFiles(fixtureApp)).length;
    expect(second).toBe(first);
  });

  it("returns the user's handler itself, callable with a real InvocationContext", async () => {
    const events = captureRegistrations(resolveMainFiles(fixtureApp)).find((f) => f.name === "events");
    const context = new InvocationContext({ functionName: "events", invocationId: "inv-1", logHandler: () => {} });
    await expect(events?.handler({ id: "e1", subject: "fail" }, context)).rejects.toThrow("event handler failed");
  });

  it("names the file that failed to load", () => {
    expect(() => captureRegistrations([path.join(fixtureApp, "functions", "missing.ts")])).toThrow(/missing\.ts/);
  });
});

import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { formatLogArgs, jsonLogger, prettyLogger, type LogEntry } from "../../../../dev/host/logger";

const entry: LogEntry = {
  time: "2026-11-26T10:00:00.123Z",
  level: "warning",
  category: "function",
  functionName: "reconcileWorker",
  invocationId: "0f7a3c2e-1111-4222-8333-444455556666",
  message: "attempt 2 failed",
  trigger: { dequeueCount: 2 },
};

function capture(make: (out: NodeJS.WritableStream) => { write(e: LogEntry): void }): string {
  const out = new PassThrough();
  let text = "";
  out.on("data", (c: Buffer) => (text += c.toString()));
  make(out).write(entry);
  return text;
}

describe("host loggers", () => {
  it("writes one parseable JSON object per line", () => {
    const text = capture(jsonLogger);
    expect(text.endsWith("\n")).toBe(true);
    expect(text.trim().split("\n")).toHaveLength(1);
    expect(JSON.parse(text)).toEqual(entry);
  });

  it("writes a readable line for terminals, with the function, invocation and extra fields", () => {
    expect(capture(prettyLogger)).toBe(
      '10:00:00.123 WRN Functions.reconcileWorker (0f7a3c2e): attempt 2 failed {"trigger":{"dequeueCount":2}}\n',
    );
  });

  it("formats context.log arguments like console.log", () => {
    expect(formatLogArgs(["%s has %d servers", "sss-prod", 3])).toBe("sss-prod has 3 servers");
    expect(formatLogArgs(["state", { a: 1 }])).toBe("state { a: 1 }");
  });
});

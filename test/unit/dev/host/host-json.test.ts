import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseHostJson, parseTimeSpan } from "../../../../dev/host/host-json";

describe("parseTimeSpan", () => {
  it("reads hh:mm:ss, fractions and days", () => {
    expect(parseTimeSpan("00:00:30")).toBe(30_000);
    expect(parseTimeSpan("00:00:00.500")).toBe(500);
    expect(parseTimeSpan("1.02:03:04")).toBe(((26 * 60 + 3) * 60 + 4) * 1000);
  });

  it("rejects anything else, naming the expected format", () => {
    expect(() => parseTimeSpan("30s")).toThrow(/hh:mm:ss/);
  });

  it("inverts formatting (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 59 }),
        (h, m, s) => {
          const text = [h, m, s].map((n) => String(n).padStart(2, "0")).join(":");
          expect(parseTimeSpan(text)).toBe(((h * 60 + m) * 60 + s) * 1000);
        },
      ),
    );
  });
});

describe("parseHostJson", () => {
  it("applies the runtime's queue defaults", () => {
    expect(parseHostJson({ version: "2.0" }).queues).toEqual({
      batchSize: 16,
      newBatchThreshold: 8,
      maxPollingIntervalMs: 60_000,
      visibilityTimeoutMs: 0,
      maxDequeueCount: 5,
      messageEncoding: "base64",
    });
  });

  it("reads the project's own host.json", () => {
    const q = parseHostJson({
      version: "2.0",
      extensions: {
        queues: {
          batchSize: 8,
          newBatchThreshold: 4,
          maxPollingInterval: "00:00:02",
          visibilityTimeout: "00:00:30",
          maxDequeueCount: 5,
          messageEncoding: "base64",
        },
      },
    }).queues;
    expect(q).toMatchObject({
      batchSize: 8,
      newBatchThreshold: 4,
      maxPollingIntervalMs: 2000,
      visibilityTimeoutMs: 30_000,
    });
  });

  it("names each invalid field", () => {
    expect(() =>
      parseHostJson({ version: "2.0", extensions: { queues: { batchSize: 64, messageEncoding: "utf8" } } }),
    ).toThrow(/extensions\.queues\.batchSize[\s\S]*extensions\.queues\.messageEncoding/);
    expect(() => parseHostJson({ version: "1.0" })).toThrow(/version/);
  });
});

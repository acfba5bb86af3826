import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessage } from "../../../../../dev/host/queue/queue-clients";

describe("queue message encoding", () => {
  it("decodes what it encodes, for any text (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary" }),
        fc.constantFrom("base64" as const, "none" as const),
        (text, encoding) => {
          expect(decodeMessage(encodeMessage(text, encoding), encoding)).toBe(text);
        },
      ),
    );
  });

  it("refuses text that is not base64 on a base64 queue", () => {
    expect(() => decodeMessage('{"serviceId":"x"}', "base64")).toThrow(/not base64/);
  });
});

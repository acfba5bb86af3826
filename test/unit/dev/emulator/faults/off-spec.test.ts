import { describe, expect, it } from "vitest";
import { offSpecBody } from "../../../../../dev/emulator/faults/off-spec";
import { parseFaultRule } from "../../../../../dev/emulator/faults/fault-rule";

describe("offSpec fault", () => {
  const body = {
    value: [{ properties: { agentVersion: "20.0.0.0", identity: true, count: 3, tags: {}, list: ["a"] } }],
  };

  it("removes a field, leaving the original answer untouched", () => {
    const out = offSpecBody(body, "value.0.properties.agentVersion", "remove") as typeof body;
    expect(out.value[0]?.properties).not.toHaveProperty("agentVersion");
    expect(body.value[0]?.properties.agentVersion).toBe("20.0.0.0");
  });

  it("gives a field another JSON type", () => {
    const at = (field: string) =>
      (
        offSpecBody(body, `value.0.properties.${field}`, "wrongType") as {
          value: Array<{ properties: Record<string, unknown> }>;
        }
      ).value[0]?.properties[field];
    expect(at("agentVersion")).toBe(42);
    expect(typeof at("identity")).toBe("string");
    expect(typeof at("count")).toBe("string");
    expect(typeof at("tags")).toBe("string");
    expect(typeof at("list")).toBe("string");
  });

  it("a path the body lacks leaves it as it was", () => {
    expect(offSpecBody(body, "value.3.properties.agentVersion", "remove")).toEqual(body);
    expect(offSpecBody(body, "nothing.here", "wrongType")).toEqual(body);
  });

  it("a rule without field or with an unknown change is refused, naming it", () => {
    expect(() => parseFaultRule({ match: {}, effect: { kind: "offSpec", change: "remove" } })).toThrow(/effect\.field/);
    expect(() => parseFaultRule({ match: {}, effect: { kind: "offSpec", field: "x", change: "shuffle" } })).toThrow(
      /effect\.change/,
    );
  });
});

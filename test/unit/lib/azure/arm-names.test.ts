import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  managedScopeProblem,
  storageSyncResourceProblem,
  storageSyncServiceIdProblem,
} from "../../../../src/lib/azure/resource-id";

const SUB = "11111111-1111-4111-8111-111111111111";
const id = (rg: string, name: string, sub = SUB) =>
  `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.StorageSync/storageSyncServices/${name}`;

describe("storageSyncServiceIdProblem: the names ARM allows", () => {
  it.each([
    ["rg-files", "sss-prod"],
    ["rg.(test)_1", "sss 2.v_x-y"],
    ["Ressourcengruppe-Größe", "a"],
    ["r".repeat(90), "s".repeat(260)],
  ])("accepts resource group %j with service %j", (rg, name) => {
    expect(storageSyncServiceIdProblem(id(rg, name))).toBeUndefined();
  });

  it.each([
    [id(".", "sss"), '"." segment'],
    [id("..", "sss"), '".." segment'],
    [id("rg", ".."), '".." segment'],
    [id("rg", "."), '"." segment'],
    [id("rg.", "sss"), "cannot end with a period"],
    [id("rg!", "sss"), "may only contain"],
    [id("r".repeat(91), "sss"), "1-90"],
    [id("rg", "sss."), "cannot end with a period or a space"],
    [id("rg", "sss "), "cannot end with a period or a space"],
    [id("rg", "s$s"), "may only contain"],
    [id("rg", "s".repeat(261)), "1-260"],
    [id("rg", "sss", "not-a-guid"), "not a GUID"],
    [`${id("rg", "sss")}/registeredServers/x`, "expected /subscriptions"],
    [`/x${id("rg", "sss")}`, "expected /subscriptions"],
  ])("refuses %j, saying why", (value, why) => {
    expect(storageSyncServiceIdProblem(value)).toContain(why);
  });

  it("refuses any id with a dot segment wherever it sits", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.constantFrom(".", ".."), (at, dot) => {
        const parts = id("rg", "sss").split("/");
        parts[at] = dot;
        expect(storageSyncServiceIdProblem(parts.join("/"))).toBeDefined();
      }),
    );
  });
});

describe("managedScopeProblem", () => {
  it("accepts subscriptions and resource groups with ARM names", () => {
    expect(managedScopeProblem(`/subscriptions/${SUB}`)).toBeUndefined();
    expect(managedScopeProblem(`/subscriptions/${SUB}/resourceGroups/rg(1).x`)).toBeUndefined();
  });
  it.each([
    [`/subscriptions/${SUB}/resourceGroups/..`, '".." segment'],
    [`/subscriptions/${SUB}/resourceGroups/rg.`, "cannot end with a period"],
    ["/subscriptions/abc", "not a GUID"],
    [`/subscriptions/${SUB}/providers/Microsoft.StorageSync`, "expected /subscriptions"],
  ])("refuses %j", (scope, why) => {
    expect(managedScopeProblem(scope)).toContain(why);
  });
});

describe("storageSyncResourceProblem", () => {
  it("refuses registered server ids that are not GUIDs, and bad service parts", () => {
    expect(
      storageSyncResourceProblem(`${id("rg", "sss")}/registeredServers/5e7e0201-0000-4000-8000-000000000201`),
    ).toBeUndefined();
    expect(storageSyncResourceProblem(`${id("rg", "sss")}/registeredServers/not-a-guid`)).toContain("not a GUID");
    expect(storageSyncResourceProblem(`${id("rg.", "sss")}/syncGroups/g`)).toContain("cannot end with a period");
    expect(storageSyncResourceProblem(`${id("rg", "sss")}/registeredServers/../x`)).toContain('".." segment');
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tookEffect, type TargetState } from "../../../../src/lib/azure/write-effects";
import { WRITE_KINDS } from "../../../../src/lib/store/rows";

const TARGET = "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg/providers/x/y/z";
const guid = fc.uuid();

describe("the intent resolution decision", () => {
  it("a grant and a deletion of the same assignment: exactly one of them took effect, whatever ARM shows", () => {
    fc.assert(
      fc.property(fc.boolean(), (exists) => {
        const seen: TargetState = { kind: "roleAssignment", exists };
        expect(tookEffect({ kind: "grantRole", target: TARGET }, seen)).toBe(exists);
        expect(tookEffect({ kind: "deleteRoleAssignment", target: TARGET }, seen)).toBe(!exists);
      }),
    );
  });

  it("a switch took effect only when the server exists, uses its identity, and trusts the intended principal (case-insensitively)", () => {
    fc.assert(
      fc.property(
        guid,
        fc.boolean(),
        fc.option(fc.boolean(), { nil: undefined }),
        fc.option(guid, { nil: undefined }),
        fc.boolean(),
        (principal, exists, identity, other, same) => {
          const applicationId = same ? principal.toUpperCase() : other;
          const seen: TargetState = { kind: "server", exists, identity, applicationId };
          const expected = exists && identity === true && applicationId?.toLowerCase() === principal.toLowerCase();
          expect(tookEffect({ kind: "switchServer", target: TARGET, principalId: principal }, seen)).toBe(expected);
          expect(tookEffect({ kind: "repairServer", target: TARGET, principalId: principal }, seen)).toBe(expected);
        },
      ),
    );
  });

  it("service writes: the identity once ARM reports a principal id, useIdentity once it reads true", () => {
    expect(tookEffect({ kind: "enableServiceIdentity", target: TARGET }, { kind: "service" })).toBe(false);
    expect(tookEffect({ kind: "enableServiceIdentity", target: TARGET }, { kind: "service", principalId: "p" })).toBe(
      true,
    );
    expect(
      tookEffect({ kind: "setUseIdentity", target: TARGET }, { kind: "service", principalId: "p", useIdentity: false }),
    ).toBe(false);
    expect(tookEffect({ kind: "setUseIdentity", target: TARGET }, { kind: "service", useIdentity: true })).toBe(true);
  });

  it("an observation of another kind of resource never confirms a write", () => {
    const states: TargetState[] = [
      { kind: "roleAssignment", exists: true },
      { kind: "service", principalId: "p", useIdentity: true },
      { kind: "server", exists: true, identity: true, applicationId: "p" },
    ];
    const matching = {
      grantRole: "roleAssignment",
      deleteRoleAssignment: "roleAssignment",
      enableServiceIdentity: "service",
      setUseIdentity: "service",
      switchServer: "server",
      repairServer: "server",
    } as const;
    for (const kind of WRITE_KINDS)
      for (const seen of states.filter((s) => s.kind !== matching[kind]))
        expect(tookEffect({ kind, target: TARGET, principalId: "p" }, seen)).toBe(false);
  });
});

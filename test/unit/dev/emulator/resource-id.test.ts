import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { idKey, isAtOrAbove } from "../../../../dev/emulator/resource-id";

const segment = fc.stringMatching(/^[A-Za-z0-9-]{1,8}$/);
const sub = fc.uuid();
/** Random realistic scopes: subscription, group, resource, child resource. */
const scope = fc
  .tuple(sub, fc.option(segment, { nil: undefined }), fc.array(fc.tuple(segment, segment), { maxLength: 3 }), segment)
  .map(([s, rg, children, ns]) => {
    let out = `/subscriptions/${s}`;
    if (rg === undefined) return out;
    out += `/resourceGroups/${rg}`;
    if (children.length === 0) return out;
    out += `/providers/Microsoft.${ns}`;
    for (const [t, n] of children) out += `/${t}/${n}`;
    return out;
  });

describe("scope ancestry (role assignment inheritance)", () => {
  it("every scope is at or above itself and below the root, case-insensitively", () => {
    fc.assert(
      fc.property(scope, (s) => {
        expect(isAtOrAbove(s, s)).toBe(true);
        expect(isAtOrAbove("/", s)).toBe(true);
        expect(isAtOrAbove(s.toUpperCase(), s)).toBe(true);
      }),
    );
  });

  it("a sibling sharing a name prefix is not an ancestor", () => {
    fc.assert(
      fc.property(scope, segment, (s, extra) => {
        expect(isAtOrAbove(s + extra, s)).toBe(false);
      }),
    );
  });

  it("the SDK's double slash and a trailing slash name the same scope", () => {
    fc.assert(
      fc.property(scope, (s) => {
        expect(idKey("/" + s + "/")).toBe(idKey(s));
      }),
    );
  });

  it("a file share inherits from its account, group, subscription and the root, not from a sibling share", () => {
    const account = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/a";
    const share = `${account}/fileServices/default/fileshares/x`;
    for (const above of [
      share,
      `${account}/fileServices/default`,
      account,
      "/subscriptions/s/resourceGroups/g",
      "/subscriptions/s",
      "/",
    ])
      expect(isAtOrAbove(above, share)).toBe(true);
    expect(isAtOrAbove(`${account}/fileServices/default/fileshares/y`, share)).toBe(false);
    expect(isAtOrAbove(share, account)).toBe(false);
  });
});

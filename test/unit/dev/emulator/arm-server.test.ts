import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { permissionOf, requestUrl } from "../../../../dev/emulator/arm-server";
import { pageList } from "../../../../dev/emulator/list-paging";
import type { Reply } from "../../../../dev/emulator/handlers/types";

const SVC = "/subscriptions/s/resourceGroups/g/providers/Microsoft.StorageSync/storageSyncServices/n";

describe("RBAC action and scope of a request", () => {
  it("names the resource type path and verb, over the resource itself", () => {
    expect(permissionOf("PATCH", `${SVC}/registeredServers/x`)).toEqual({
      action: "Microsoft.StorageSync/storageSyncServices/registeredServers/write",
      scope: `${SVC}/registeredServers/x`,
    });
    expect(permissionOf("DELETE", SVC)).toEqual({
      action: "Microsoft.StorageSync/storageSyncServices/delete",
      scope: SVC,
    });
  });

  it("a list is a read over its parent", () => {
    expect(permissionOf("GET", `${SVC}/registeredServers`)).toEqual({
      action: "Microsoft.StorageSync/storageSyncServices/registeredServers/read",
      scope: SVC,
    });
    expect(permissionOf("GET", "/subscriptions/s/providers/Microsoft.StorageSync/storageSyncServices")).toEqual({
      action: "Microsoft.StorageSync/storageSyncServices/read",
      scope: "/subscriptions/s",
    });
  });

  it("role assignments at any scope, including the SDK's double slash", () => {
    expect(
      permissionOf(
        "PUT",
        `//subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/a/providers/Microsoft.Authorization/roleAssignments/r`,
      ),
    ).toEqual({
      action: "Microsoft.Authorization/roleAssignments/write",
      scope:
        "/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/a/providers/Microsoft.Authorization/roleAssignments/r",
    });
    expect(permissionOf("GET", "/subscriptions/s/providers/Microsoft.Authorization/roleAssignments")?.scope).toBe(
      "/subscriptions/s",
    );
  });

  it("request URLs keep a leading double slash as a path, not a host", () => {
    expect(requestUrl("//subscriptions/x/providers/y?api-version=1").pathname).toBe("//subscriptions/x/providers/y");
    expect(requestUrl("//subscriptions/x?api-version=1").searchParams.get("api-version")).toBe("1");
  });
});

describe("list paging", () => {
  it("following nextLink yields every item once, in order, in pages of at most n", () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 40 }), fc.integer({ min: 1, max: 7 }), (items, n) => {
        const full: Reply = { kind: "reply", status: 200, body: { value: items } };
        let url: URL | undefined = new URL("https://arm.test/subscriptions/s/things?api-version=2022-09-01");
        const seen: number[] = [];
        let pages = 0;
        while (url) {
          const page = pageList(full, n, url, "https://arm.test").body as { value: number[]; nextLink?: string };
          expect(page.value.length).toBeLessThanOrEqual(n);
          seen.push(...page.value);
          url = page.nextLink ? new URL(page.nextLink) : undefined;
          if (url) expect(url.searchParams.get("api-version")).toBe("2022-09-01");
          pages++;
        }
        expect(seen).toEqual(items);
        expect(pages).toBe(Math.max(1, Math.ceil(items.length / n)));
      }),
    );
  });

  it("page size 0 and error answers pass through unchanged", () => {
    const full: Reply = { kind: "reply", status: 200, body: { value: [1, 2, 3] } };
    expect(pageList(full, 0, new URL("https://a/x"), "https://a")).toBe(full);
    const error: Reply = { kind: "reply", status: 404, body: { error: { code: "x", message: "y" } } };
    expect(pageList(error, 2, new URL("https://a/x"), "https://a")).toBe(error);
  });
});

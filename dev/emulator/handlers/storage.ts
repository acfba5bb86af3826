import { notFound } from "../arm-error";
import { idKey } from "../resource-id";
import type { StorageAccountRecord } from "../state";
import { requireResourceGroup, requireSubscription } from "./arm-parents";
import { listReply, reply, type Handler, type HandlerContext } from "./types";

/** Microsoft.Storage accounts and file shares: read-only, so role assignment scopes resolve. */

const accountId = (ctx: HandlerContext): string =>
  `/subscriptions/${ctx.params.subscriptionId}/resourceGroups/${ctx.params.resourceGroupName}/providers/Microsoft.Storage/storageAccounts/${ctx.params.accountName}`;

function requireAccount(ctx: HandlerContext): StorageAccountRecord {
  requireResourceGroup(ctx.core.state, ctx.params.subscriptionId ?? "", ctx.params.resourceGroupName ?? "");
  const a = ctx.core.state.storageAccounts.get(idKey(accountId(ctx)));
  if (!a) throw notFound(`Microsoft.Storage/storageAccounts/${ctx.params.accountName}`, ctx.params.resourceGroupName);
  return a;
}

function requireFileServices(ctx: HandlerContext): StorageAccountRecord {
  const a = requireAccount(ctx);
  if ((ctx.params.fileServicesName ?? "").toLowerCase() !== "default")
    throw notFound(
      `Microsoft.Storage/storageAccounts/${a.name}/fileServices/${ctx.params.fileServicesName}`,
      a.resourceGroup,
    );
  return a;
}

const accountBody = (a: StorageAccountRecord): Record<string, unknown> => ({
  id: a.id,
  name: a.name,
  type: "Microsoft.Storage/storageAccounts",
  location: a.location,
  kind: "StorageV2",
  sku: { name: "Standard_LRS", tier: "Standard" },
  properties: {
    provisioningState: "Succeeded",
    primaryEndpoints: { file: `https://${a.name}.file.core.windows.net/` },
    networkAcls: structuredClone(a.networkAcls),
    // Absent unless set: accounts that never set it do not return it, and Azure reads that as true.
    ...(a.allowSharedKeyAccess === undefined ? {} : { allowSharedKeyAccess: a.allowSharedKeyAccess }),
  },
});

const shareBody = (a: StorageAccountRecord, name: string): Record<string, unknown> => ({
  id: `${a.id}/fileServices/default/shares/${name}`,
  name,
  type: "Microsoft.Storage/storageAccounts/fileServices/shares",
  properties: { accessTier: "TransactionOptimized", shareQuota: 5120, enabledProtocols: "SMB" },
});

export const storageHandlers: Record<string, Handler> = {
  StorageAccounts_GetProperties: (ctx) => reply(200, accountBody(requireAccount(ctx))),
  StorageAccounts_ListByResourceGroup: (ctx) => {
    const rg = requireResourceGroup(
      ctx.core.state,
      ctx.params.subscriptionId ?? "",
      ctx.params.resourceGroupName ?? "",
    );
    return listReply(
      [...ctx.core.state.storageAccounts.values()]
        .filter((a) => idKey(a.id).startsWith(idKey(rg.id) + "/"))
        .map(accountBody),
    );
  },
  StorageAccounts_List: (ctx) => {
    requireSubscription(ctx.core.state, ctx.params.subscriptionId ?? "");
    const prefix = `/subscriptions/${ctx.params.subscriptionId}/`.toLowerCase();
    return listReply(
      [...ctx.core.state.storageAccounts.values()].filter((a) => idKey(a.id).startsWith(prefix)).map(accountBody),
    );
  },
  FileServices_GetServiceProperties: (ctx) => {
    const a = requireFileServices(ctx);
    return reply(200, {
      id: `${a.id}/fileServices/default`,
      name: "default",
      type: "Microsoft.Storage/storageAccounts/fileServices",
      properties: {},
    });
  },
  FileShares_Get: (ctx) => {
    const a = requireFileServices(ctx);
    const share = ctx.core.state.fileShares.get(
      idKey(`${a.id}/fileServices/default/fileshares/${ctx.params.shareName}`),
    );
    if (!share)
      throw notFound(
        `Microsoft.Storage/storageAccounts/${a.name}/fileServices/default/shares/${ctx.params.shareName}`,
        a.resourceGroup,
      );
    return reply(200, shareBody(a, share.name));
  },
  FileShares_List: (ctx) => {
    const a = requireFileServices(ctx);
    return listReply(
      [...ctx.core.state.fileShares.values()]
        .filter((s) => idKey(s.accountId) === idKey(a.id))
        .map((s) => shareBody(a, s.name)),
    );
  },
};

import { ids, TEST_TENANT_ID, type SeedInput } from "../../../dev/emulator/index";
import { SUB1 } from "./emulator-harness";

/**
 * A small estate for the drift behaviours: servers on Arc machines and a VM in
 * every state the agent simulation distinguishes, storage accounts with and
 * without network rules, and a subscription of another Entra tenant.
 */
export const OTHER_TENANT = "0e7e0000-0000-4000-8000-0000000000aa";
export const SUB_OTHER = "33333333-3333-4333-8333-333333333333";
export const CALLER = "c0ffee00-0000-4000-8000-0000000000d1";
export const ZERO_GUID = "00000000-0000-0000-0000-000000000000";

export const SERVICE = ids.storageSyncService(SUB1, "rg-sync", "sss-drift");
const RG_MACHINES = "rg-machines";

export const principal = (n: number): string => `d0000000-0000-4000-8000-0000000000${String(n).padStart(2, "0")}`;
export const serverGuid = (n: number): string => `5e7ed000-0000-4000-8000-0000000000${String(n).padStart(2, "0")}`;
export const serverResource = (n: number): string => ids.registeredServer(SERVICE, serverGuid(n));
export const arcMachine = (name: string): string => ids.arcMachine(SUB1, RG_MACHINES, name);
export const vm = (name: string): string => ids.virtualMachine(SUB1, RG_MACHINES, name);

export const ACCOUNT_DATA = ids.storageAccount(SUB1, "rg-storage", "stdata");
export const ACCOUNT_LOCKED = ids.storageAccount(SUB1, "rg-storage", "stlocked");
export const ACCOUNT_FOREIGN = ids.storageAccount(SUB_OTHER, "rg-foreign", "stforeign");
export const DATA_SHARE = ids.fileShare(ACCOUNT_DATA, "data");

/** Server n: name, machine, and what the seed says about it. */
export const SERVERS = {
  active: 1, // on its identity (principal 1), granted
  ignores: 2, // its agent never picks up a switch (principal 2, granted)
  arcOff: 3, // Arc machine Disconnected (principal 3, granted)
  none: 4, // no machine; applicationId written as the zero GUID
  crossTenant: 5, // VM whose identity lives in another tenant (principal 5)
  expiring: 6, // on its identity (principal 6, granted); the test expires its Arc agent
  wrongRepair: 7, // on its identity (principal 7, granted); the test repairs it with a wrong principal first
  vmSwitched: 8, // VM on its identity (principal 8, granted); the test disables and re-enables the VM identity
  recreated: 9, // on its identity (principal 9, granted); the test deletes and re-creates its Arc machine
} as const;

export function driftSeed(): SeedInput {
  const onIdentity = (n: number) => ({ applicationId: principal(n), activeAuthType: "ManagedIdentity" as const });
  const server = (n: number, name: string, extra: Record<string, unknown> = {}) => ({
    serverId: serverGuid(n),
    serverName: `${name}.contoso.local`,
    agentVersion: "21.2.0.0",
    ...extra,
  });
  const arc = (n: number, name: string, extra: Record<string, unknown> = {}) => ({
    name,
    hostName: `${name}.contoso.local`,
    identity: { principalId: principal(n) },
    ...extra,
  });
  return {
    tenantId: TEST_TENANT_ID,
    caller: { principalId: CALLER },
    subscriptions: [
      {
        subscriptionId: SUB1,
        resourceGroups: [
          {
            name: "rg-sync",
            storageSyncServices: [
              {
                name: "sss-drift",
                registeredServers: [
                  server(1, "m-active", onIdentity(1)),
                  server(2, "m-ignores", { agentIgnoresSwitch: true }),
                  server(3, "m-off"),
                  server(4, "m-none", { applicationId: ZERO_GUID }),
                  server(5, "vm-xt"),
                  server(6, "m-exp", onIdentity(6)),
                  server(7, "m-wrong", onIdentity(7)),
                  server(8, "vm-sw", onIdentity(8)),
                  server(9, "m-again", onIdentity(9)),
                ],
                syncGroups: [
                  {
                    name: "sg-data",
                    cloudEndpoints: [
                      { name: "ce-data", storageAccountResourceId: ACCOUNT_DATA, azureFileShareName: "data" },
                    ],
                    serverEndpoints: [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => ({
                      name: `se-${n}`,
                      serverId: serverGuid(n),
                    })),
                  },
                  {
                    name: "sg-foreign",
                    cloudEndpoints: [
                      { name: "ce-foreign", storageAccountResourceId: ACCOUNT_FOREIGN, azureFileShareName: "x" },
                    ],
                  },
                ],
              },
            ],
          },
          {
            name: "rg-storage",
            storageAccounts: [
              { name: "stdata", fileShares: ["data"] },
              {
                name: "stlocked",
                fileShares: ["locked"],
                networkAcls: { defaultAction: "Deny", bypass: "None", ipRules: [{ value: "203.0.113.0/24" }] },
                allowSharedKeyAccess: false,
              },
            ],
          },
          {
            name: RG_MACHINES,
            arcMachines: [
              arc(1, "m-active"),
              arc(2, "m-ignores"),
              arc(3, "m-off", { status: "Disconnected" }),
              arc(6, "m-exp"),
              arc(7, "m-wrong"),
              arc(9, "m-again"),
            ],
            virtualMachines: [
              {
                name: "vm-xt",
                hostName: "vm-xt.contoso.local",
                identity: { principalId: principal(5), tenantId: OTHER_TENANT },
              },
              { name: "vm-sw", hostName: "vm-sw.contoso.local", identity: { principalId: principal(8) } },
            ],
          },
        ],
      },
      {
        subscriptionId: SUB_OTHER,
        tenantId: OTHER_TENANT,
        resourceGroups: [{ name: "rg-foreign", storageAccounts: [{ name: "stforeign", fileShares: ["x"] }] }],
      },
    ],
    roleAssignments: [1, 2, 3, 5, 6, 7, 8, 9].map((n) => ({
      scope: DATA_SHARE,
      role: "Storage File Data Privileged Contributor",
      principalId: principal(n),
      principalType: "ServicePrincipal" as const,
    })),
  };
}

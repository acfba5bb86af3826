import { readFileSync } from "node:fs";
import { DEFAULT_SEED_PATH, ids, type SeedInput } from "../../../dev/emulator";

export const SUB1 = "11111111-1111-4111-8111-111111111111";
export const SUB2 = "22222222-2222-4222-8222-222222222222";
export const SSS_PROD = ids.storageSyncService(SUB1, "rg-filesync", "sss-prod");
export const SSS_BRANCH = ids.storageSyncService(SUB2, "rg-branch", "sss-branch");
export const FS01 = "5e7e0001-0000-4000-8000-000000000001";
export const BR02 = "5e7e0202-0000-4000-8000-000000000202";
export const FS01_MACHINE = ids.arcMachine(SUB1, "rg-arc", "fs01");
export const FS06_MACHINE = ids.arcMachine(SUB1, "rg-arc", "fs06");
export const BR02_VM = ids.virtualMachine(SUB2, "rg-branch", "vm-br02");
export const FINANCE_SHARE = ids.fileShare(ids.storageAccount(SUB1, "rg-storage", "stcontosofin"), "finance");
export const HR_ACCOUNT = ids.storageAccount(SUB2, "rg-storage-hr", "stcontosohr");
export const FILE_DATA_PRIVILEGED_CONTRIBUTOR = "69566ab7-960f-475b-8e7c-b3118f30c6bd";

/** dev/seeds/demo.json plus an Arc machine fs06 (with an identity) whose server is not registered yet. */
export function demoSeedWithNewMachine(): SeedInput {
  const seed = JSON.parse(readFileSync(DEFAULT_SEED_PATH, "utf8")) as SeedInput;
  const arc = seed.subscriptions[0]?.resourceGroups?.find((g) => g.name === "rg-arc");
  if (!arc) throw new Error("demo seed changed: no rg-arc");
  arc.arcMachines = [...(arc.arcMachines ?? []), { name: "fs06", hostName: "fs06.contoso.local", identity: {} }];
  return seed;
}

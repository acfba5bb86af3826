import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { get as httpGet } from "node:http";
import { get as httpsGet } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * `npm run emulator` as a user runs it: a child process, an env file, then plain HTTPS with the CA file (what `curl
 * --cacert` does).
 */
let child: ChildProcess;
let env: Record<string, string>;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "emu-cli-"));
  // A directory that does not exist yet, like the documented `.local/` on a fresh clone.
  const envFile = join(dir, ".local", "emulator.env");
  child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "dev/emulator/main.ts",
      "--port",
      "0",
      "--seed",
      "dev/seeds/demo.json",
      "--env-out",
      envFile,
      "--lro",
      "sync",
    ],
    {
      cwd: join(__dirname, "../../../.."),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  for (let i = 0; i < 300 && !existsSync(envFile); i++) await sleep(100);
  if (!existsSync(envFile)) throw new Error(`emulator did not write ${envFile}: ${stderr}`);
  env = Object.fromEntries(
    readFileSync(envFile, "utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
});

afterAll(() => {
  child?.kill("SIGTERM");
});

function getJson(
  url: string,
  headers: Record<string, string>,
  ca?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const onResponse = (res: import("node:http").IncomingMessage): void => {
      let text = "";
      res.on("data", (d: Buffer) => (text += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    };
    const req = url.startsWith("https:")
      ? httpsGet(url, { headers, ca }, onResponse)
      : httpGet(url, { headers }, onResponse);
    req.on("error", reject);
  });
}

describe("standalone emulator (npm run emulator)", () => {
  it("writes an env file with every setting the product needs", () => {
    for (const key of [
      "ARM_ENDPOINT",
      "NODE_EXTRA_CA_CERTS",
      "IDENTITY_ENDPOINT",
      "IDENTITY_HEADER",
      "AZURE_SUBSCRIPTION_ID",
      "EMULATOR_ADMIN_URL",
      "MANAGED_SCOPES",
    ]) {
      expect(env[key], key).toBeTruthy();
    }
    expect(env.AZURE_SUBSCRIPTION_ID).toBe("11111111-1111-4111-8111-111111111111");
    expect(env.MANAGED_SCOPES?.split(",")).toHaveLength(2);
  });

  it("a token from the identity endpoint and the CA file give the seeded service's identity and useIdentity, and a server's agent fields", async () => {
    const token = await getJson(
      `${env.IDENTITY_ENDPOINT}?resource=${encodeURIComponent("https://management.azure.com")}&api-version=2019-08-01`,
      {
        "X-IDENTITY-HEADER": env.IDENTITY_HEADER ?? "",
      },
    );
    expect(token.status).toBe(200);
    expect(token.body).toMatchObject({ token_type: "Bearer", resource: "https://management.azure.com" });
    expect(Number(token.body.expires_on)).toBeGreaterThan(Date.now() / 1000);
    const auth = { authorization: `Bearer ${String(token.body.access_token)}` };
    const ca = readFileSync(env.NODE_EXTRA_CA_CERTS ?? "", "utf8");
    const sub2 =
      "/subscriptions/22222222-2222-4222-8222-222222222222/resourceGroups/rg-branch/providers/Microsoft.StorageSync/storageSyncServices/sss-branch";
    const svc = await getJson(`${env.ARM_ENDPOINT}${sub2}?api-version=2022-09-01`, auth, ca);
    expect(svc.status).toBe(200);
    expect(svc.body).toMatchObject({ identity: { type: "UserAssigned" }, properties: { useIdentity: false } });
    const server = await getJson(
      `${env.ARM_ENDPOINT}${sub2}/registeredServers/5e7e0201-0000-4000-8000-000000000201?api-version=2022-09-01`,
      auth,
      ca,
    );
    expect(server.body).toMatchObject({
      properties: { latestApplicationId: "a7c00201-0000-4000-8000-000000000201", activeAuthType: "Certificate" },
    });
  });

  it("the identity endpoint refuses a request without the secret header", async () => {
    const r = await getJson(`${env.IDENTITY_ENDPOINT}?resource=x&api-version=2019-08-01`, {});
    expect(r.status).toBe(401);
  });
});

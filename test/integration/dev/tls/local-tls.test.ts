import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { describe, expect, inject, it } from "vitest";

describe("local TLS trust", () => {
  it("a test process trusts the run's certificate without extra options", async () => {
    const tls = inject("localTls");
    const server = createServer({ cert: tls.certPem, key: tls.keyPem }, (_req, res) => res.end("ok"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const response = await fetch(`https://127.0.0.1:${port}/`);
      expect(await response.text()).toBe("ok");
      const byName = await fetch(`https://localhost:${port}/`);
      expect(byName.status).toBe(200);
    } finally {
      server.close();
    }
  });
});

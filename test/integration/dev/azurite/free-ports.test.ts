import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { freePorts } from "../../../../dev/azurite/start-azurite";

// Azurite's three services each need their own port; a fresh clone's CI once saw blob and queue handed the same one
// (EADDRINUSE), when each port was released before the next was asked for.
describe("freePorts", () => {
  it("gives distinct ports, each free to listen on", async () => {
    for (let round = 0; round < 100; round++) {
      const ports = await freePorts(3);
      expect(new Set(ports).size).toBe(3);
      for (const port of ports) expect(port).toBeGreaterThan(0);
    }
    const [port = 0] = await freePorts(1);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

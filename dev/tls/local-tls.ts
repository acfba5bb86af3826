import { generate } from "selfsigned";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A self-signed certificate for the local HTTPS servers (the emulator). */
export interface LocalTls {
  certPem: string;
  keyPem: string;
  /** The certificate written to disk, for NODE_EXTRA_CA_CERTS or curl --cacert. */
  certPath: string;
}

/**
 * Makes a self-signed certificate for localhost and 127.0.0.1 that is also its
 * own trust anchor (CA:true), so clients trust it through NODE_EXTRA_CA_CERTS
 * or tlsOptions.ca without any other chain. The Azure SDK refuses bearer
 * tokens over plain http, hence HTTPS even on loopback.
 */
export async function createLocalTls(dir: string = mkdtempSync(join(tmpdir(), "afs-tls-"))): Promise<LocalTls> {
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notAfterDate: new Date(Date.now() + 30 * 24 * 3600 * 1000),
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", digitalSignature: true, keyCertSign: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
        ],
      },
    ],
  });
  const certPath = join(dir, "local-ca.pem");
  writeFileSync(certPath, pems.cert);
  return { certPem: pems.cert, keyPem: pems.private, certPath };
}

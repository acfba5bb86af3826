import { readFileSync } from "node:fs";
import path from "node:path";
import type { SwaggerDocument } from "./swagger-types";

/**
 * Loads Swagger files on demand and resolves `$ref`s (local `#/…` and
 * cross-file `../x.json#/…`) relative to the file they appear in. Resolution
 * is lazy, so recursive definitions (ErrorDetail.details → ErrorDetail) need
 * no cycle handling.
 */
export class RefResolver {
  private readonly documents = new Map<string, SwaggerDocument>();

  document(file: string): SwaggerDocument {
    const absolute = path.resolve(file);
    let doc = this.documents.get(absolute);
    if (!doc) {
      doc = JSON.parse(readFileSync(absolute, "utf8")) as SwaggerDocument;
      this.documents.set(absolute, doc);
    }
    return doc;
  }

  /** Follows one `$ref` from `fromFile`; returns the target and the file it lives in. */
  resolve<T>(ref: string, fromFile: string): { value: T; file: string } {
    const [filePart, pointer = ""] = ref.split("#", 2) as [string, string?];
    const file = filePart ? path.resolve(path.dirname(fromFile), filePart) : path.resolve(fromFile);
    let node: unknown = this.document(file);
    for (const raw of pointer.split("/").filter((s) => s !== "")) {
      const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
      if (node === null || typeof node !== "object" || !(key in node)) {
        throw new Error(`Unresolvable $ref '${ref}' from ${fromFile}`);
      }
      node = (node as Record<string, unknown>)[key];
    }
    return { value: node as T, file };
  }

  /** Follows `$ref` chains until a node without `$ref`. */
  deref<T extends { $ref?: string }>(node: T, file: string): { value: T; file: string } {
    let current = { value: node, file };
    for (let hops = 0; current.value.$ref !== undefined; hops++) {
      if (hops > 32) throw new Error(`$ref chain too long at ${current.value.$ref}`);
      current = this.resolve<T>(current.value.$ref, current.file);
    }
    return current;
  }
}

/**
 * A Map of records with one secondary index kept as records are set and deleted: the records whose
 * `indexKeyOf` is a given key, in insertion order. The agent looks up one server's endpoints and one sync
 * group's cloud endpoints on every read of a server; at estate scale a scan of every endpoint per read made the
 * emulator's CPU, not ARM's buckets, set the pace.
 */
export class IndexedRecords<R> extends Map<string, R> {
  private readonly indexOfKey = new Map<string, string>();
  private readonly keysByIndex = new Map<string, Set<string>>();

  constructor(private readonly indexKeyOf: (record: R) => string) {
    super();
  }

  override set(key: string, record: R): this {
    super.set(key, record);
    this.index(key, record);
    return this;
  }

  override delete(key: string): boolean {
    this.unindex(key);
    return super.delete(key);
  }

  override clear(): void {
    super.clear();
    this.indexOfKey.clear();
    this.keysByIndex.clear();
  }

  /** Records changed in place (a state restore) may belong elsewhere now: index them all again, in the Map's order. */
  reindex(): void {
    this.indexOfKey.clear();
    this.keysByIndex.clear();
    for (const [key, record] of this) this.index(key, record);
  }

  /** The records whose index key is `indexKey`, in insertion order. */
  withIndex(indexKey: string): R[] {
    const out: R[] = [];
    for (const key of this.keysByIndex.get(indexKey) ?? []) {
      const record = this.get(key);
      if (record !== undefined) out.push(record);
    }
    return out;
  }

  private index(key: string, record: R): void {
    const next = this.indexKeyOf(record);
    const before = this.indexOfKey.get(key);
    if (before === next) return; // keeps its place
    if (before !== undefined) {
      // Moved under another index key: index everything again, so each key's records stay in the Map's order.
      this.reindex();
      return;
    }
    this.indexOfKey.set(key, next);
    let keys = this.keysByIndex.get(next);
    if (!keys) this.keysByIndex.set(next, (keys = new Set()));
    keys.add(key);
  }

  private unindex(key: string): void {
    const before = this.indexOfKey.get(key);
    if (before === undefined) return;
    this.indexOfKey.delete(key);
    const keys = this.keysByIndex.get(before);
    keys?.delete(key);
    if (keys?.size === 0) this.keysByIndex.delete(before);
  }
}

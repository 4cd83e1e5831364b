// The stores the harness can compare, by the names `--engines` takes.
import type { Adapter } from './adapter.js';
import { classicLevel } from './classic-level.js';
import { lmdb } from './lmdb.js';
import { rocksdb } from './rocksdb.js';
import { strata } from './strata.js';

export type { Adapter, AdapterOptions, FsyncPolicy, Store } from './adapter.js';

export const adapters: readonly Adapter[] = [strata, classicLevel, rocksdb, lmdb];

export function adapterNamed(name: string): Adapter {
  const found = adapters.find((a) => a.name === name);
  if (!found) throw new Error(`unknown engine "${name}" (known: ${adapters.map((a) => a.name).join(', ')})`);
  return found;
}

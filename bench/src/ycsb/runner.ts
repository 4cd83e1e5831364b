// Turns a workload into a stream of operations on a Store (YCSB's CoreWorkload.doTransaction), drawing
// every choice from one seeded Prng so that every engine gets the same operations for the same seed.
import type { Store } from '../adapters/index.js';
import { ycsbKey, type ValuePool } from '../random/keys.js';
import type { Prng } from '../random/prng.js';
import {
  AcknowledgedCounter,
  ScrambledZipfianGenerator,
  SkewedLatestGenerator,
  UniformGenerator,
  type KeyChooser,
} from './generators.js';
import { OPERATION_KINDS, type Distribution, type OperationKind, type Workload } from './workloads.js';

export interface OperationStream {
  /** Perform operation `i`; resolves to the index of its kind in OPERATION_KINDS. */
  step(i: number): Promise<number>;
}

export function operationStream(
  store: Store,
  workload: Workload,
  distribution: Distribution,
  operations: number,
  inserted: AcknowledgedCounter,
  prng: Prng,
  values: ValuePool,
): OperationStream {
  const thresholds = cumulative(workload.mix);
  const records = inserted.lastAcknowledged + 1;
  // Room for the keys this run inserts (YCSB: expectednewkeys = operations * insertproportion * 2).
  const expectedNew = Math.ceil(operations * (workload.mix.insert ?? 0) * 2);
  const chooser: KeyChooser =
    distribution === 'uniform'
      ? new UniformGenerator(prng, 0, records - 1)
      : distribution === 'latest'
        ? new SkewedLatestGenerator(prng, inserted)
        : new ScrambledZipfianGenerator(prng, 0, records + expectedNew - 1);
  const nextKey = (): Buffer => {
    let n: number;
    do n = chooser.next();
    while (n > inserted.lastAcknowledged);
    return ycsbKey(n);
  };
  const kindIndex = (kind: OperationKind): number => OPERATION_KINDS.indexOf(kind);
  const READ = kindIndex('read');
  const UPDATE = kindIndex('update');
  const INSERT = kindIndex('insert');
  const SCAN = kindIndex('scan');
  const RMW = kindIndex('readmodifywrite');

  return {
    async step(i) {
      const r = prng.nextDouble();
      const kind = thresholds.find((t) => r < t.upTo)?.kind ?? thresholds[thresholds.length - 1]!.kind;
      switch (kind) {
        case READ:
          await store.get(nextKey());
          return READ;
        case UPDATE:
          await store.put(nextKey(), values.value(i));
          return UPDATE;
        case INSERT: {
          const n = inserted.next();
          await store.put(ycsbKey(n), values.value(i));
          inserted.acknowledge(n);
          return INSERT;
        }
        case SCAN:
          await store.scan(nextKey(), 1 + prng.nextInt(workload.maxScanLength));
          return SCAN;
        default: {
          const key = nextKey();
          await store.get(key);
          await store.put(key, values.value(i));
          return RMW;
        }
      }
    },
  };
}

function cumulative(mix: Workload['mix']): { kind: number; upTo: number }[] {
  let sum = 0;
  return OPERATION_KINDS.filter((k) => (mix[k] ?? 0) > 0).map((k) => ({
    kind: OPERATION_KINDS.indexOf(k),
    upTo: (sum += mix[k]!),
  }));
}

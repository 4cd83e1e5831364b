// Timing a reopen: the open of an existing store, not its close.
import type { Adapter, Store } from '../adapters/index.js';
import { timeOnce } from '../report/phase.js';
import type { PhaseResult } from '../report/result.js';

type Extra = Record<string, number | string | boolean>;

export async function timeReopen(
  phase: string,
  adapter: Adapter,
  dir: string,
  options: { writeBufferSize?: number },
  /** Untimed look at the reopened store before it is closed; its figures join the phase's. */
  inspect?: (store: Store) => Promise<Extra>,
): Promise<PhaseResult> {
  let store: Store | undefined;
  const result = await timeOnce(phase, async () => {
    store = await adapter.open(dir, { fsync: 'no', ...options });
  });
  const storeStats = store!.facts?.();
  let seen: Extra | undefined;
  try {
    if (inspect) seen = await inspect(store!);
  } finally {
    await store!.close();
  }
  return { ...result, ...(seen ? { extra: seen } : {}), ...(storeStats ? { storeStats } : {}) };
}

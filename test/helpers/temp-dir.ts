// Temporary directories under the OS temp dir, removed when the test ends.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/** A fresh empty directory, removed after the test `t` (pass the test's context). */
export function tempDir(t: Pick<TestContext, 'after'>, prefix = 'strata-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// Runs every compiled test under test/dist with node's test runner (prints "# pass N" / "# fail N").
// STRATA_TEST_FILTER=engine runs only the tests whose path contains that string.
import { readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), 'dist');
const filter = process.env.STRATA_TEST_FILTER ?? '';
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.test.js') && path.includes(filter)) files.push(path);
  }
};
walk(root);
if (files.length === 0) {
  console.error(`no test files found under ${root}`);
  process.exit(1);
}
const concurrency = process.env.STRATA_TEST_CONCURRENCY ?? '2';
const result = spawnSync(
  process.execPath,
  ['--test', `--test-concurrency=${concurrency}`, ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);

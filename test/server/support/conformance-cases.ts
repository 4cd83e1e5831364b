// Reads the conformance case files (data-conformance*.txt): commands and the exact bytes redis-server 7.0.15
// replied, recorded by data-conformance-record.py. The format is described at the top of each file.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

export interface Step {
  line: number;
  text: string;
  expect?: { exact: string } | { pattern: RegExp };
}

export interface Section {
  title: string;
  steps: Step[];
}

/** Space-separated arguments; "..." is one argument with JSON escapes (\u00XX = byte XX). */
export function tokens(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === ' ') i++;
    else if (line[i] === '"') {
      let j = i + 1;
      while (line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
      out.push(JSON.parse(line.slice(i, j + 1)) as string);
      i = j + 1;
    } else {
      const j = line.indexOf(' ', i) < 0 ? line.length : line.indexOf(' ', i);
      out.push(line.slice(i, j));
      i = j;
    }
  }
  return out;
}

/** The file's sections, each a list of steps (directives such as !resp3 are steps without expectations). */
export function readSections(path: string): Section[] {
  const lines = readFileSync(path, 'latin1').split('\n');
  const out: Section[] = [];
  lines.forEach((text, index) => {
    if (text.startsWith('## ')) out.push({ title: text.slice(3), steps: [] });
    else if (text.startsWith('=> ')) out.at(-1)!.steps.at(-1)!.expect = { exact: JSON.parse(text.slice(3)) as string };
    else if (text.startsWith('~> ')) {
      out.at(-1)!.steps.at(-1)!.expect = { pattern: new RegExp(`^(?:${JSON.parse(text.slice(3)) as string})$`, 's') };
    } else if (text !== '' && !text.startsWith('#')) out.at(-1)!.steps.push({ line: index + 1, text });
  });
  return out;
}

/** Asserts a reply against a step's recorded expectation. */
export function checkReply(step: Step, file: string, reply: string): void {
  const where = `${file}:${step.line}: ${step.text}`;
  const expect = step.expect;
  assert.ok(expect !== undefined, `${where}: no expected reply recorded`);
  if ('exact' in expect) assert.equal(reply, expect.exact, where);
  else assert.match(reply, expect.pattern, where);
}

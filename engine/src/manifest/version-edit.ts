// A change to the live file set, as appended to the manifest (FORMAT.md, "Manifest"). The payload is a
// UTF-8 JSON object, keys in hex: the manifest is small and rarely written, and JSON keeps it inspectable.

import { corruption } from '../errors.js';
import type { TableProperties } from '../sstable/properties.js';

/** What the manifest knows of a live table. */
export interface TableMeta {
  number: number;
  size: number;
  entries: number;
  smallestKey: Buffer;
  largestKey: Buffer;
  minSequence: number;
  maxSequence: number;
  /** The sorted run the table belongs to (tables of one run hold disjoint key ranges): a flushed table is
   *  a run of its own (run = its number), the outputs of a compaction share their first one's number. */
  run: number;
}

/** What the manifest records of table `number`, built with properties `props`, but its sorted run. */
export function describeTable(number: number, props: TableProperties): Omit<TableMeta, 'run'> {
  const { fileSize: size, entries, smallestKey, largestKey, minSequence, maxSequence } = props;
  return { number, size, entries, smallestKey, largestKey, minSequence, maxSequence };
}

export interface VersionEdit {
  /** WALs numbered below this are fully flushed to tables (and may be deleted). */
  logNumber?: number;
  /** Every file number in use is below this. */
  nextFileNumber?: number;
  /** Sequence numbers up to this have been used. */
  lastSequence?: number;
  addTables?: TableMeta[];
  removeTables?: number[];
}

export function encodeEdit(edit: VersionEdit): Buffer {
  const json = {
    ...edit,
    addTables: edit.addTables?.map((t) => ({
      ...t,
      smallestKey: t.smallestKey.toString('hex'),
      largestKey: t.largestKey.toString('hex'),
    })),
  };
  return Buffer.from(JSON.stringify(json), 'utf8');
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const HEX = /^(?:[0-9a-f]{2})*$/;

/** Decodes and checks an edit; anything unexpected is corruption of `file` at `offset`. */
export function decodeEdit(payload: Buffer, file: string, offset: number): VersionEdit {
  const bad = (what: string): Error => corruption(file, offset, `malformed manifest edit: ${what}`);
  let raw: unknown;
  try {
    raw = JSON.parse(payload.toString('utf8'));
  } catch {
    throw bad('not JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('not an object');
  const r = raw as Record<string, unknown>;
  const edit: VersionEdit = {};
  for (const field of ['logNumber', 'nextFileNumber', 'lastSequence'] as const) {
    if (r[field] === undefined) continue;
    if (!isCount(r[field])) throw bad(`${field} is not a count`);
    edit[field] = r[field];
  }
  if (r.addTables !== undefined) {
    if (!Array.isArray(r.addTables)) throw bad('addTables is not a list');
    edit.addTables = r.addTables.map((t: unknown, i) => {
      const m = t as Record<string, unknown>;
      for (const f of ['number', 'size', 'entries', 'minSequence', 'maxSequence']) {
        if (typeof t !== 'object' || t === null || !isCount(m[f])) throw bad(`table ${i}: ${f} is not a count`);
      }
      // Written before compaction existed: every table was a run of its own.
      if (m.run === undefined) m.run = m.number;
      else if (!isCount(m.run)) throw bad(`table ${i}: run is not a count`);
      for (const f of ['smallestKey', 'largestKey']) {
        if (typeof m[f] !== 'string' || !HEX.test(m[f])) throw bad(`table ${i}: ${f} is not hex`);
      }
      return {
        number: m.number as number,
        size: m.size as number,
        entries: m.entries as number,
        smallestKey: Buffer.from(m.smallestKey as string, 'hex'),
        largestKey: Buffer.from(m.largestKey as string, 'hex'),
        minSequence: m.minSequence as number,
        maxSequence: m.maxSequence as number,
        run: m.run as number,
      };
    });
  }
  if (r.removeTables !== undefined) {
    if (!Array.isArray(r.removeTables) || !r.removeTables.every(isCount)) throw bad('removeTables is not a list of numbers');
    edit.removeTables = r.removeTables;
  }
  return edit;
}

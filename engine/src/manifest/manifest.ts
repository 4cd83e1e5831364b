// The manifest: a log of version edits whose replay gives the live file set. A new manifest starts with
// one edit holding the whole set, and CURRENT is switched to it by write-temp, fsync, rename, fsync-dir.
// Later edits are appended and synced; the set changes only once an edit is durable.

import { join } from 'node:path';
import { corruption, StrataError } from '../errors.js';
import type { FileHandle, FileSystem } from '../vfs/file-system.js';
import { findRecordAfter, RECORD_HEADER_SIZE, RecordReader, readWholeFile, sealRecord } from '../wal/record.js';
import { CURRENT, manifestFileName, TEMP_SUFFIX } from './file-names.js';
import { decodeEdit, encodeEdit, type TableMeta, type VersionEdit } from './version-edit.js';

/** The live file set: what the manifest's edits add up to. */
export class LiveFiles {
  logNumber = 0;
  nextFileNumber = 1;
  lastSequence = 0;
  readonly tables = new Map<number, TableMeta>();

  apply(edit: VersionEdit): void {
    if (edit.logNumber !== undefined) this.logNumber = edit.logNumber;
    if (edit.nextFileNumber !== undefined) this.nextFileNumber = Math.max(this.nextFileNumber, edit.nextFileNumber);
    if (edit.lastSequence !== undefined) this.lastSequence = Math.max(this.lastSequence, edit.lastSequence);
    for (const n of edit.removeTables ?? []) this.tables.delete(n);
    for (const t of edit.addTables ?? []) this.tables.set(t.number, t);
  }

  newFileNumber(): number {
    return this.nextFileNumber++;
  }

  /** One edit that recreates this whole set. */
  snapshotEdit(): VersionEdit {
    return {
      logNumber: this.logNumber,
      nextFileNumber: this.nextFileNumber,
      lastSequence: this.lastSequence,
      addTables: [...this.tables.values()],
    };
  }
}

function frame(edit: VersionEdit): Buffer {
  const payload = encodeEdit(edit);
  const record = Buffer.allocUnsafe(RECORD_HEADER_SIZE + payload.length);
  payload.copy(record, RECORD_HEADER_SIZE);
  sealRecord(record, 0, record.length);
  return record;
}

/** Replaces CURRENT so that it names `manifestNumber`, durably. */
async function setCurrent(fs: FileSystem, dir: string, manifestNumber: number): Promise<void> {
  const temp = join(dir, CURRENT + TEMP_SUFFIX);
  const file = fs.open(temp, 'create');
  try {
    file.append(Buffer.from(`${manifestFileName(manifestNumber)}\n`, 'utf8'));
    await file.sync();
  } finally {
    file.close();
  }
  fs.rename(temp, join(dir, CURRENT));
  await fs.syncDir(dir);
}

export class Manifest {
  private constructor(
    readonly number: number,
    private readonly file: FileHandle,
  ) {}

  /** Writes a new manifest holding `live` as file `number` and makes CURRENT name it. */
  static async create(fs: FileSystem, dir: string, live: LiveFiles, number: number): Promise<Manifest> {
    const file = fs.open(join(dir, manifestFileName(number)), 'create');
    try {
      file.append(frame(live.snapshotEdit()));
      await file.sync();
      await setCurrent(fs, dir, number);
    } catch (error) {
      file.close();
      throw error;
    }
    return new Manifest(number, file);
  }

  /** Appends the edit and syncs it; once this resolves the edit survives a crash. */
  async append(edit: VersionEdit): Promise<void> {
    this.file.append(frame(edit));
    await this.file.sync();
  }

  get size(): number {
    return this.file.size();
  }

  close(): void {
    this.file.close();
  }
}

export interface RecoveredManifest {
  live: LiveFiles;
  /** File number of the manifest CURRENT names. */
  number: number;
  /** A last record that is incomplete or fails its checksum: an append cut short by a crash, unless
   *  the live files show that a durable edit was lost (the caller checks). */
  tornTail?: { file: string; offset: number; problem: string };
}

/** Reads CURRENT and the manifest it names; undefined if there is no CURRENT. */
export function readManifest(fs: FileSystem, dir: string): RecoveredManifest | undefined {
  const currentPath = join(dir, CURRENT);
  if (!fs.exists(currentPath)) return undefined;
  const current = fs.open(currentPath, 'read');
  let text: string;
  try {
    text = readWholeFile(current).toString('utf8');
  } finally {
    current.close();
  }
  const m = /^MANIFEST-(\d+)\n$/.exec(text);
  if (m === null) throw corruption(currentPath, 0, `expected "MANIFEST-<number>\\n", found ${JSON.stringify(text.slice(0, 40))}`);
  const number = Number(m[1]);
  const path = join(dir, manifestFileName(number));
  if (!fs.exists(path)) throw new StrataError('Corruption', `${path} named by CURRENT is missing`);
  const handle = fs.open(path, 'read');
  let data: Buffer;
  try {
    data = readWholeFile(handle);
  } finally {
    handle.close();
  }
  const live = new LiveFiles();
  const reader = new RecordReader(data, path);
  let records = 0;
  while (reader.next()) {
    const start = reader.payloadStart - RECORD_HEADER_SIZE;
    live.apply(decodeEdit(data.subarray(reader.payloadStart, reader.payloadEnd), path, start));
    records++;
  }
  if (reader.problem === undefined) return { live, number };
  // The first record was synced before CURRENT named this file: it cannot be torn.
  if (records === 0) throw corruption(path, reader.offset, reader.problem);
  const follower = findRecordAfter(data, reader.offset);
  if (follower >= 0) throw corruption(path, reader.offset, `${reader.problem}, yet a whole record follows at offset ${follower}`);
  return { live, number, tornTail: { file: path, offset: reader.offset, problem: reader.problem } };
}

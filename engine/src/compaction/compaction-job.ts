// One compaction: a k-way heap merge of the input tables through the version filter into new tables of
// bounded size, each synced, then the directory. The same code runs in the worker thread (on the disk) and
// inline on the main thread (on any file system, in slices that yield to the event loop). It installs
// nothing: the caller makes the outputs live by one manifest edit. On any error (a checksum mismatch in an
// input included) the partial outputs are removed and the error is thrown; the inputs are untouched.

import { join } from 'node:path';
import { StrataError } from '../errors.js';
import { MergingIterator } from '../iterator/merging-iterator.js';
import { tableFileName } from '../manifest/file-names.js';
import { describeTable, type TableMeta } from '../manifest/version-edit.js';
import { TableBuilder } from '../sstable/table-builder.js';
import { TableReader } from '../sstable/table-reader.js';
import { compareBytes, copyBytes } from '../util/bytes.js';
import type { FileHandle, FileSystem } from '../vfs/file-system.js';
import { VersionFilter } from './version-filter.js';

/** Everything a compaction needs, as plain data (it crosses to the worker by structured clone). */
export interface CompactionSpec {
  dir: string;
  /** Table numbers of the inputs. */
  inputs: number[];
  /** File numbers reserved for the outputs, used in order. */
  outputNumbers: number[];
  /** Sequences of the live snapshots (any order). */
  snapshots: number[];
  /** The output will be the oldest run: tombstones in the oldest stripe can be dropped. */
  bottommost: boolean;
  blockSize: number;
  bloomBitsPerKey: number;
  /** An output table is closed at the first key boundary past this many bytes. */
  targetFileSize: number;
}

export type OutputTable = Omit<TableMeta, 'run'>;

export interface CompactionResult {
  outputs: OutputTable[];
  bytesRead: number;
  bytesWritten: number;
  entriesRead: number;
  entriesWritten: number;
}

/** Called every few hundred entries; a returned promise is awaited (inline execution yields there). */
export type Pause = () => Promise<void> | undefined;

/** Output numbers to reserve for a compaction of `inputBytes`: every output but the last holds at least
 *  the target, and the merge never writes more entries than it reads. */
export function outputsNeeded(inputBytes: number, targetFileSize: number): number {
  return Math.ceil((2 * inputBytes) / targetFileSize) + 2;
}

export async function runCompaction(fs: FileSystem, spec: CompactionSpec, pause: Pause): Promise<CompactionResult> {
  const readers: TableReader[] = [];
  const written: string[] = [];
  let file: FileHandle | undefined;
  try {
    for (const n of spec.inputs) readers.push(TableReader.open(fs, join(spec.dir, tableFileName(n)), { fileNumber: n }));
    const merge = new MergingIterator(readers.map((r) => r.iterator({ fillCache: false })));
    const filter = new VersionFilter(spec.snapshots, spec.bottommost);
    const result: CompactionResult = { outputs: [], bytesRead: 0, bytesWritten: 0, entriesRead: 0, entriesWritten: 0 };
    for (const r of readers) result.bytesRead += r.properties.fileSize;

    let builder: TableBuilder | undefined;
    let number = 0;
    let lastKey = Buffer.alloc(64);
    let lastKeyLength = 0;
    const finishOutput = async (): Promise<void> => {
      const props = builder!.finish();
      await file!.sync();
      file!.close();
      file = undefined;
      builder = undefined;
      result.outputs.push(describeTable(number, props));
      result.bytesWritten += props.fileSize;
      result.entriesWritten += props.entries;
    };

    for (merge.seekToFirst(); merge.valid; merge.next()) {
      result.entriesRead++;
      if ((result.entriesRead & 255) === 0) {
        const wait = pause();
        if (wait !== undefined) await wait;
      }
      const key = merge.key;
      if (!filter.keep(key, merge.sequence, merge.kind)) continue;
      // Split only between user keys: within a run, each key's versions live in one table.
      if (
        builder !== undefined &&
        builder.estimatedFileSize >= spec.targetFileSize &&
        compareBytes(key, 0, key.length, lastKey, 0, lastKeyLength) !== 0
      ) {
        await finishOutput();
      }
      if (builder === undefined) {
        const next = spec.outputNumbers[result.outputs.length];
        if (next === undefined) throw new StrataError('InvalidArgument', `compaction needs more than the ${spec.outputNumbers.length} output numbers reserved`);
        number = next;
        const path = join(spec.dir, tableFileName(number));
        written.push(path);
        file = fs.open(path, 'create');
        builder = new TableBuilder(file, { blockSize: spec.blockSize, bloomBitsPerKey: spec.bloomBitsPerKey });
      }
      builder.add(key, merge.sequence, merge.kind, merge.value);
      if (lastKey.length < key.length) lastKey = Buffer.allocUnsafe(2 * key.length);
      copyBytes(key, 0, key.length, lastKey, 0);
      lastKeyLength = key.length;
    }
    merge.close();
    if (builder !== undefined) await finishOutput();
    if (written.length > 0) await fs.syncDir(spec.dir);
    return result;
  } catch (error) {
    file?.close();
    for (const path of written) {
      try {
        fs.remove(path);
      } catch {
        // an orphan table: removed by the next open
      }
    }
    throw error;
  } finally {
    for (const r of readers) r.close();
  }
}

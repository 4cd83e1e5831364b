// Replays the live WALs in order. A record that is incomplete or fails its checksum ends the log: that is
// a write cut short by a crash only if no whole record follows it, in its file or in any later WAL. Then the
// file is cut back to its last whole record (rewritten aside and renamed into place) and the later, empty
// or torn, WALs are removed, so that appends resume on a clean end. Anything else is corruption.

import { join } from 'node:path';
import { corruption } from '../errors.js';
import { TEMP_SUFFIX, walFileName } from '../manifest/file-names.js';
import type { FileSystem } from '../vfs/file-system.js';
import { type BatchSink, decodeBatch } from './batch.js';
import { findRecordAfter, RecordReader, readWholeFile } from './record.js';

export interface WalReplay {
  /** Highest sequence number found (0 if none). */
  lastSequence: number;
  records: number;
  /** Bytes cut from a torn or corrupt tail. */
  droppedBytes: number;
  /** The WAL that now ends the log (appends go on there), or undefined if there were none. */
  newest: number | undefined;
}

function readWal(fs: FileSystem, path: string): Buffer {
  const handle = fs.open(path, 'read');
  try {
    return readWholeFile(handle);
  } finally {
    handle.close();
  }
}

/** Replays WALs `numbers` (ascending) into `sink`; cuts a torn tail as described above. The sink gets
 *  ranges of each log's image (read whole, never changed), so a memtable can keep its values there. */
export async function replayWals(fs: FileSystem, dir: string, numbers: readonly number[], sink: BatchSink): Promise<WalReplay> {
  const result: WalReplay = { lastSequence: 0, records: 0, droppedBytes: 0, newest: numbers.at(-1) };
  for (let i = 0; i < numbers.length; i++) {
    const path = join(dir, walFileName(numbers[i]!));
    const data = readWal(fs, path);
    const reader = new RecordReader(data, path);
    while (reader.next()) {
      const last = decodeBatch(data, reader.payloadStart, reader.payloadEnd, path, sink);
      if (last > result.lastSequence) result.lastSequence = last;
      result.records++;
    }
    if (reader.problem === undefined) continue;

    // Cut here, provided no valid record follows, in this WAL or a later one.
    const follower = findRecordAfter(data, reader.offset);
    if (follower >= 0) {
      throw corruption(path, reader.offset, `${reader.problem}, yet a whole record follows at offset ${follower}`);
    }
    const later = numbers.slice(i + 1);
    for (const n of later) {
      const laterPath = join(dir, walFileName(n));
      const laterData = readWal(fs, laterPath);
      if (findRecordAfter(laterData, -1) >= 0) {
        throw corruption(path, reader.offset, `${reader.problem}, yet the later log ${laterPath} holds whole records`);
      }
      result.droppedBytes += laterData.length;
    }
    result.droppedBytes += data.length - reader.offset;
    const temp = path + TEMP_SUFFIX;
    const rewrite = fs.open(temp, 'create');
    try {
      rewrite.append(data.subarray(0, reader.offset));
      await rewrite.sync();
    } finally {
      rewrite.close();
    }
    fs.rename(temp, path);
    for (const n of later) fs.remove(join(dir, walFileName(n)));
    await fs.syncDir(dir);
    result.newest = numbers[i];
    break;
  }
  return result;
}

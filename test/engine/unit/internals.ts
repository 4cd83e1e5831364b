// Unit tests reach inside @strata/engine (its package exports only the public API). Types come from the
// engine's declaration files relative to this source; the code is loaded relative to the compiled file
// (test/dist/engine/unit/), which sits one directory deeper than this source.

import type * as BlockCacheModule from '../../../engine/dist/cache/block-cache.js';
import type * as ErrorsModule from '../../../engine/dist/errors.js';
import type * as MemTableModule from '../../../engine/dist/memtable/memtable.js';
import type * as BlockBuilderModule from '../../../engine/dist/sstable/block-builder.js';
import type * as BlockModule from '../../../engine/dist/sstable/block.js';
import type * as BloomModule from '../../../engine/dist/sstable/bloom.js';
import type * as FooterModule from '../../../engine/dist/sstable/footer.js';
import type * as TableBuilderModule from '../../../engine/dist/sstable/table-builder.js';
import type * as TableReaderModule from '../../../engine/dist/sstable/table-reader.js';
import type * as BloomHashModule from '../../../engine/dist/util/bloom-hash.js';
import type * as Crc32Module from '../../../engine/dist/util/crc32.js';
import type * as DiskFsModule from '../../../engine/dist/vfs/disk-fs.js';

export type { InternalIterator, ValueKind } from '../../../engine/dist/iterator/internal-iterator.js';
export type { Footer } from '../../../engine/dist/sstable/footer.js';
export type { TableProperties } from '../../../engine/dist/sstable/properties.js';

const dist = new URL('../../../../engine/dist/', import.meta.url);
const load = async <T>(path: string): Promise<T> => (await import(new URL(path, dist).href)) as T;

export const { BlockCache } = await load<typeof BlockCacheModule>('cache/block-cache.js');
export const { StrataError } = await load<typeof ErrorsModule>('errors.js');
export const { MemTable } = await load<typeof MemTableModule>('memtable/memtable.js');
export const { BlockBuilder } = await load<typeof BlockBuilderModule>('sstable/block-builder.js');
export const { Block, BlockIterator } = await load<typeof BlockModule>('sstable/block.js');
export const { BloomFilter, BloomFilterBuilder } = await load<typeof BloomModule>('sstable/bloom.js');
export const { FOOTER_SIZE, decodeFooter } = await load<typeof FooterModule>('sstable/footer.js');
export const { TableBuilder } = await load<typeof TableBuilderModule>('sstable/table-builder.js');
export const { TableReader } = await load<typeof TableReaderModule>('sstable/table-reader.js');
export const { bloomHash } = await load<typeof BloomHashModule>('util/bloom-hash.js');
export const { crc32, crc32Range } = await load<typeof Crc32Module>('util/crc32.js');
export const { DiskFileSystem } = await load<typeof DiskFsModule>('vfs/disk-fs.js');
export type Block = BlockModule.Block;
export type BloomFilter = BloomModule.BloomFilter;
export type TableReader = TableReaderModule.TableReader;

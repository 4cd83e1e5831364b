// Constants of the SSTable file format (see engine/FORMAT.md, section "SSTable").

export const FORMAT_VERSION = 2;
/** "STRATSST" in ASCII: the last 12..4 bytes of the footer. */
export const MAGIC = Buffer.from('STRATSST', 'latin1');

/** The kind byte in every block trailer, so a handle pointing at the wrong block is caught. */
export const enum BlockKind {
  Data = 1,
  Filter = 2,
  Index = 3,
  Properties = 4,
}

/** Every block on disk is followed by: kind (u8), CRC-32 of the block contents and the kind byte (u32 LE). */
export const BLOCK_TRAILER_SIZE = 5;
/** Keys between restart points of a data block (an index block restarts at every key). */
export const RESTART_INTERVAL = 16;

/** Where a block lives in the file: `size` counts the contents and the trailer. */
export interface BlockHandle {
  offset: number;
  size: number;
}

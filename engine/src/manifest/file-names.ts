// Names of the files in a database directory (FORMAT.md, "Directory layout"). WALs, tables and manifests
// share one counter of file numbers, so a number names exactly one file ever.

export const CURRENT = 'CURRENT';
export const LOCK = 'LOCK';
/** Suffix of files written aside and renamed into place; left-overs are removed on open. */
export const TEMP_SUFFIX = '.tmp';

export type FileKind = 'wal' | 'table' | 'manifest';

const pad = (n: number): string => String(n).padStart(6, '0');

export const walFileName = (n: number): string => `${pad(n)}.wal`;
export const tableFileName = (n: number): string => `${pad(n)}.sst`;
export const manifestFileName = (n: number): string => `MANIFEST-${pad(n)}`;

const PATTERN = /^(?:(\d+)\.(wal|sst)|MANIFEST-(\d+))$/;

/** Kind and number of a numbered file, or undefined for any other name. */
export function parseFileName(name: string): { kind: FileKind; number: number } | undefined {
  const m = PATTERN.exec(name);
  if (m === null) return undefined;
  if (m[3] !== undefined) return { kind: 'manifest', number: Number(m[3]) };
  return { kind: m[2] === 'wal' ? 'wal' : 'table', number: Number(m[1]) };
}

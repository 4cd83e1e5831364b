// An in-memory file system that can lose power. It keeps, beside what a reader sees now, what a disk would
// still hold after a crash: per file the bytes made durable by `sync`, per directory the entries made
// durable by `syncDir` (ext4-like: a new file's name, a rename or a removal is only durable once its
// directory is synced). `crash()` returns a new file system holding only that; with `tear`, unsynced file
// tails and directory changes may survive in part, as after a real power cut. Faults (EIO, ENOSPC) can be
// injected on any call, and a hook sees every sync point so tests can crash at each of them.

import { posix } from 'node:path';
import { StrataError } from '../errors.js';
import type { FileHandle, FileSystem } from './file-system.js';

export type FsOp =
  | 'open'
  | 'read'
  | 'append'
  | 'sync'
  | 'list'
  | 'mkdir'
  | 'rename'
  | 'remove'
  | 'syncDir'
  | 'lock';

/** Decides, per call, whether it fails and how. */
export type FsFault = (op: FsOp, path: string) => 'EIO' | 'ENOSPC' | undefined;

export interface CrashOptions {
  /** Let unsynced file tails survive as a random prefix (sometimes ending in garbage), and unsynced
   *  directory changes survive as a random prefix of their sequence. */
  tear?: boolean;
  /** Source of randomness for tearing (default Math.random); pass a seeded one to reproduce. */
  random?: () => number;
}

export interface MemoryFileSystemOptions {
  /** Source of randomness for partial writes under ENOSPC (default Math.random). */
  random?: () => number;
}

const MESSAGES: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EEXIST: 'file already exists',
  ENOTDIR: 'not a directory',
  EISDIR: 'illegal operation on a directory',
  ENOTEMPTY: 'directory not empty',
  EBADF: 'bad file descriptor',
  EBUSY: 'resource busy or locked',
  EIO: 'i/o error',
  ENOSPC: 'no space left on device',
};

/** The error the disk would give: a StrataError (NotFound, Busy or IOError, as DiskFileSystem raises them)
 *  carrying node's code and message. */
function fsError(code: string, syscall: string, path: string): StrataError {
  const kind = code === 'ENOENT' ? 'NotFound' : code === 'EBUSY' ? 'Busy' : 'IOError';
  return new StrataError(kind, `${syscall} ${path}: ${code}: ${MESSAGES[code] ?? code}, ${syscall} '${path}'`, { code });
}

class MemFile {
  /** Current contents are `buf[0..length)`; `buf` grows by doubling and is replaced on truncation. */
  buf: Uint8Array = new Uint8Array(0);
  length = 0;
  /** Bumped by every truncation. */
  generation = 0;
  /** What survives a crash. A view into an older or the current `buf`: appends never rewrite bytes below
   *  `length`, and truncation allocates a new `buf`, so the view stays intact. */
  durable: Uint8Array = new Uint8Array(0);
  /** False after a truncation not yet synced: the current contents then do not extend `durable`. */
  extendsDurable = true;

  append(data: Uint8Array): void {
    const needed = this.length + data.length;
    if (needed > this.buf.length) {
      const grown = new Uint8Array(Math.max(needed, this.buf.length * 2, 256));
      grown.set(this.buf.subarray(0, this.length));
      this.buf = grown;
    }
    this.buf.set(data, this.length);
    this.length = needed;
  }

  truncate(): void {
    this.buf = new Uint8Array(0);
    this.length = 0;
    this.generation++;
    this.extendsDurable = false;
  }

  /** Make durable the contents as they were when a sync was issued (`buf`, `length` and `generation`
   *  then), unless a later sync already covered more. */
  makeDurable(buf: Uint8Array, length: number, generation: number): void {
    const current = generation === this.generation;
    if (current && this.extendsDurable && length <= this.durable.length) return;
    this.durable = buf.subarray(0, length);
    this.extendsDurable = current;
  }

  /** The contents after a power cut. */
  survivor(tear: boolean, random: () => number): MemFile {
    const copy = new MemFile();
    let bytes: Uint8Array = this.durable;
    if (tear && this.extendsDurable && this.length > this.durable.length) {
      const unsynced = this.length - this.durable.length;
      const kept = Math.floor(random() * (unsynced + 1));
      bytes = this.buf.slice(0, this.durable.length + kept);
      const roll = random();
      if (kept > 0 && roll < 2 / 3) {
        // The last sector written may hold garbage or zeros instead of the data.
        const damaged = 1 + Math.floor(random() * Math.min(kept, 64));
        for (let i = bytes.length - damaged; i < bytes.length; i++) {
          bytes[i] = roll < 1 / 3 ? Math.floor(random() * 256) : 0;
        }
      }
    }
    copy.append(bytes);
    copy.durable = copy.buf.subarray(0, copy.length);
    return copy;
  }
}

type Node = MemFile | MemDir;
/** A change to a directory's entries: `node` undefined means removal. */
type DirChange = { name: string; node: Node | undefined };

class MemDir {
  entries = new Map<string, Node>();
  durable = new Map<string, Node>();
  /** Changes since the last syncDir, in order; a torn crash keeps a prefix of them. */
  pending: DirChange[] = [];

  set(name: string, node: Node | undefined): void {
    if (node === undefined) this.entries.delete(name);
    else this.entries.set(name, node);
    this.pending.push({ name, node });
  }

  sync(): void {
    this.durable = new Map(this.entries);
    this.pending = [];
  }

  /** The entries after a power cut. */
  survivingEntries(tear: boolean, random: () => number): Map<string, Node> {
    const entries = new Map(this.durable);
    if (!tear) return entries;
    const kept = Math.floor(random() * (this.pending.length + 1));
    for (const { name, node } of this.pending.slice(0, kept)) {
      if (node === undefined) entries.delete(name);
      else entries.set(name, node);
    }
    return entries;
  }
}

class MemHandle implements FileHandle {
  private closed = false;

  constructor(
    private readonly fs: MemoryFileSystem,
    private readonly file: MemFile,
    private readonly path: string,
    private readonly writable: boolean,
  ) {}

  read(buffer: Uint8Array, offset: number, length: number, position: number): number {
    this.check('read');
    const end = Math.min(position + length, this.file.length);
    if (end <= position) return 0;
    buffer.set(this.file.buf.subarray(position, end), offset);
    return end - position;
  }

  append(data: Uint8Array): void {
    this.check('write');
    if (!this.writable) throw fsError('EBADF', 'write', this.path);
    const fault = this.fs.fault('append', this.path);
    if (fault === 'ENOSPC') {
      // Like a real full disk, part of the write may land before the error.
      this.file.append(data.subarray(0, Math.floor(this.fs.random() * data.length)));
    }
    if (fault !== undefined) throw fsError(fault, 'write', this.path);
    this.file.append(data);
  }

  async sync(): Promise<void> {
    this.check('fsync');
    const fault = this.fs.fault('sync', this.path);
    const { buf, length, generation } = this.file;
    // Resolve on a later turn, as a disk would: writers arriving meanwhile can join the next group commit.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (fault !== undefined) throw fsError(fault, 'fsync', this.path);
    this.fs.syncPoint('sync', this.path);
    this.file.makeDurable(buf, length, generation);
  }

  size(): number {
    this.check('fstat');
    return this.file.length;
  }

  close(): void {
    this.closed = true;
  }

  private check(syscall: string): void {
    if (this.closed) throw fsError('EBADF', syscall, this.path);
  }
}

export class MemoryFileSystem implements FileSystem {
  /** Called at every sync point, just before it takes effect: crashing there loses this sync and keeps
   *  the ones before. `count` is 1-based over the life of this instance. */
  onSync?: (kind: 'sync' | 'syncDir', path: string, count: number) => void;
  /** Sync points reached so far. */
  syncCount = 0;
  readonly random: () => number;
  private root = new MemDir();
  private readonly locks = new Set<string>();
  private faultFn: FsFault | undefined;

  constructor(options: MemoryFileSystemOptions = {}) {
    this.random = options.random ?? Math.random;
  }

  /** Fail calls as `fault` decides (undefined: no more faults). */
  inject(fault: FsFault | undefined): void {
    this.faultFn = fault;
  }

  /** A new file system holding what survives a power cut now. This instance and its handles go on. */
  crash(options: CrashOptions = {}): MemoryFileSystem {
    const tear = options.tear ?? false;
    const random = options.random ?? Math.random;
    const copies = new Map<Node, Node>();
    const copy = (node: Node): Node => {
      let result = copies.get(node);
      if (result !== undefined) return result;
      if (node instanceof MemFile) {
        result = node.survivor(tear, random);
      } else {
        const dir = new MemDir();
        copies.set(node, dir);
        for (const [name, child] of node.survivingEntries(tear, random)) dir.entries.set(name, copy(child));
        dir.sync();
        result = dir;
      }
      copies.set(node, result);
      return result;
    };
    const image = new MemoryFileSystem({ random: this.random });
    image.root = copy(this.root) as MemDir;
    return image;
  }

  open(path: string, mode: 'read' | 'append' | 'create'): FileHandle {
    const p = normalize(path);
    this.throwFault('open', p, 'open');
    const { dir, name } = this.parent(p, 'open');
    const node = dir.entries.get(name);
    if (node instanceof MemDir) throw fsError('EISDIR', 'open', p);
    if (node === undefined) {
      if (mode === 'read') throw fsError('ENOENT', 'open', p);
      const file = new MemFile();
      dir.set(name, file);
      return new MemHandle(this, file, p, true);
    }
    if (mode === 'create') node.truncate();
    return new MemHandle(this, node, p, mode !== 'read');
  }

  exists(path: string): boolean {
    return this.lookup(normalize(path)) !== undefined;
  }

  list(dir: string): string[] {
    const p = normalize(dir);
    this.throwFault('list', p, 'scandir');
    return [...this.directory(p, 'scandir').entries.keys()].sort();
  }

  /** Creates missing parents too, and accepts an existing directory (as `mkdirSync(dir, { recursive })`). */
  mkdir(dir: string): void {
    const p = normalize(dir);
    this.throwFault('mkdir', p, 'mkdir');
    let current = this.root;
    for (const part of p.split('/').filter((s) => s !== '')) {
      const next = current.entries.get(part);
      if (next instanceof MemFile) throw fsError('EEXIST', 'mkdir', p);
      if (next === undefined) {
        const created = new MemDir();
        current.set(part, created);
        current = created;
      } else {
        current = next;
      }
    }
  }

  rename(from: string, to: string): void {
    const src = normalize(from);
    const dst = normalize(to);
    this.throwFault('rename', src, 'rename');
    const a = this.parent(src, 'rename');
    const b = this.parent(dst, 'rename');
    const node = a.dir.entries.get(a.name);
    if (node === undefined) throw fsError('ENOENT', 'rename', src);
    if (src === dst) return;
    const target = b.dir.entries.get(b.name);
    if (target instanceof MemDir && (!(node instanceof MemDir) || target.entries.size > 0)) {
      throw fsError(node instanceof MemDir ? 'ENOTEMPTY' : 'EISDIR', 'rename', dst);
    }
    if (target instanceof MemFile && node instanceof MemDir) throw fsError('ENOTDIR', 'rename', dst);
    a.dir.set(a.name, undefined);
    b.dir.set(b.name, node);
  }

  remove(path: string): void {
    const p = normalize(path);
    this.throwFault('remove', p, 'unlink');
    const { dir, name } = this.parent(p, 'unlink');
    const node = dir.entries.get(name);
    if (node === undefined) throw fsError('ENOENT', 'unlink', p);
    if (node instanceof MemDir && node.entries.size > 0) throw fsError('ENOTEMPTY', 'rmdir', p);
    dir.set(name, undefined);
  }

  async syncDir(dir: string): Promise<void> {
    const p = normalize(dir);
    const fault = this.fault('syncDir', p);
    const target = this.directory(p, 'fsync');
    // Only the changes made before the call are covered by it.
    const entries = new Map(target.entries);
    const pending = target.pending.length;
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (fault !== undefined) throw fsError(fault, 'fsync', p);
    this.syncPoint('syncDir', p);
    target.durable = entries;
    target.pending = target.pending.slice(pending);
  }

  lock(path: string): { release(): void } {
    const p = normalize(path);
    this.throwFault('lock', p, 'flock');
    if (this.locks.has(p)) throw fsError('EBUSY', 'flock', p);
    this.locks.add(p);
    let held = true;
    return {
      release: () => {
        if (held) this.locks.delete(p);
        held = false;
      },
    };
  }

  /** @internal The fault to raise for this call, if any. */
  fault(op: FsOp, path: string): 'EIO' | 'ENOSPC' | undefined {
    return this.faultFn?.(op, path);
  }

  /** @internal Counts a sync point and lets the hook (maybe) crash before it takes effect. */
  syncPoint(kind: 'sync' | 'syncDir', path: string): void {
    this.syncCount++;
    this.onSync?.(kind, path, this.syncCount);
  }

  private throwFault(op: FsOp, path: string, syscall: string): void {
    const fault = this.fault(op, path);
    if (fault !== undefined) throw fsError(fault, syscall, path);
  }

  private lookup(path: string): Node | undefined {
    let node: Node = this.root;
    for (const part of path.split('/').filter((s) => s !== '')) {
      if (!(node instanceof MemDir)) return undefined;
      const next: Node | undefined = node.entries.get(part);
      if (next === undefined) return undefined;
      node = next;
    }
    return node;
  }

  private directory(path: string, syscall: string): MemDir {
    const node = this.lookup(path);
    if (node === undefined) throw fsError('ENOENT', syscall, path);
    if (!(node instanceof MemDir)) throw fsError('ENOTDIR', syscall, path);
    return node;
  }

  private parent(path: string, syscall: string): { dir: MemDir; name: string } {
    if (path === '/') throw fsError('EISDIR', syscall, path);
    const parentPath = posix.dirname(path);
    const node = this.lookup(parentPath);
    if (node === undefined) throw fsError('ENOENT', syscall, path);
    if (!(node instanceof MemDir)) throw fsError('ENOTDIR', syscall, path);
    return { dir: node, name: posix.basename(path) };
  }
}

/** Absolute, normalised, no trailing slash; relative paths are taken from `/`. */
function normalize(path: string): string {
  return posix.resolve('/', path);
}

// A file system whose WAL syncs wait at a gate the test opens, one by one and in any order (or fails), on
// top of the engine's in-memory file system: tests see exactly which syncs are in flight and what is
// acknowledged before each one ends.

import { MemoryFileSystem, type FileHandle, type FileSystem } from '@strata/engine';

export interface HeldSync {
  /** Lets the sync go on (it then makes durable what was appended when it was issued). */
  release(): void;
  /** Fails it with `code` instead. */
  fail(code: string): void;
}

export class GatedFileSystem implements FileSystem {
  readonly inner = new MemoryFileSystem();
  /** WAL syncs issued and not yet released or failed, oldest first. */
  readonly held: HeldSync[] = [];
  /** Hold WAL syncs; off (at first), they go straight through. */
  gating = false;

  open(path: string, mode: 'read' | 'append' | 'create'): FileHandle {
    const file = this.inner.open(path, mode);
    if (!path.endsWith('.wal')) return file;
    return {
      read: (buffer, offset, length, position) => file.read(buffer, offset, length, position),
      append: (data) => file.append(data),
      size: () => file.size(),
      close: () => file.close(),
      sync: () => {
        if (!this.gating) return file.sync();
        // The bytes to make durable are those appended now, when the sync is issued.
        const done = file.sync();
        done.catch(() => {});
        return new Promise<void>((resolve, reject) => {
          this.held.push({
            release: () => done.then(resolve, reject),
            fail: (code) => reject(Object.assign(new Error(`${code}: i/o error, fdatasync`), { code })),
          });
        });
      },
    };
  }

  /** Resolves once `count` syncs are held. */
  async heldCount(count: number): Promise<void> {
    for (let i = 0; i < 1000 && this.held.length < count; i++) await new Promise((resolve) => setImmediate(resolve));
    if (this.held.length < count) throw new Error(`${this.held.length} syncs held, ${count} expected`);
  }

  /** Takes the held sync `index` out of the list (0 = oldest). */
  take(index = 0): HeldSync {
    const [sync] = this.held.splice(index, 1);
    if (sync === undefined) throw new Error(`no held sync at ${index}`);
    return sync;
  }

  exists(path: string): boolean {
    return this.inner.exists(path);
  }
  list(dir: string): string[] {
    return this.inner.list(dir);
  }
  mkdir(dir: string): void {
    this.inner.mkdir(dir);
  }
  rename(from: string, to: string): void {
    this.inner.rename(from, to);
  }
  remove(path: string): void {
    this.inner.remove(path);
  }
  syncDir(dir: string): Promise<void> {
    return this.inner.syncDir(dir);
  }
  lock(path: string): { release(): void } {
    return this.inner.lock(path);
  }
}

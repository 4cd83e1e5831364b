// The real disk behind the FileSystem seam, over node:fs. Reads and appends are synchronous system calls
// (page-cache speed); fdatasync and directory fsync use the callback API so the event loop keeps running
// while the disk works, which is what lets writers join the next group commit.

import * as fs from 'node:fs';
import { StrataError } from '../errors.js';
import type { FileHandle, FileSystem } from './file-system.js';

/** Wraps a node system error as an IOError (NotFound for ENOENT) naming the operation and path. */
function ioError(op: string, path: string, error: unknown): StrataError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const kind = code === 'ENOENT' ? 'NotFound' : 'IOError';
  const message = error instanceof Error ? error.message : String(error);
  return new StrataError(kind, `${op} ${path}: ${message}`, code === undefined ? { cause: error } : { cause: error, code });
}

function fsyncFd(fd: number, data: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error: NodeJS.ErrnoException | null): void => (error ? reject(error) : resolve());
    if (data) fs.fdatasync(fd, done);
    else fs.fsync(fd, done);
  });
}

class DiskFileHandle implements FileHandle {
  private fd: number;
  private bytes: number;

  constructor(private readonly path: string, fd: number) {
    this.fd = fd;
    this.bytes = fs.fstatSync(fd).size;
  }

  read(buffer: Uint8Array, offset: number, length: number, position: number): number {
    try {
      return fs.readSync(this.fd, buffer, offset, length, position);
    } catch (error) {
      throw ioError('read', this.path, error);
    }
  }

  append(data: Uint8Array): void {
    try {
      let written = 0;
      while (written < data.length) written += fs.writeSync(this.fd, data, written, data.length - written);
    } catch (error) {
      throw ioError('write', this.path, error);
    }
    this.bytes += data.length;
  }

  async sync(): Promise<void> {
    try {
      await fsyncFd(this.fd, true);
    } catch (error) {
      throw ioError('fdatasync', this.path, error);
    }
  }

  size(): number {
    return this.bytes;
  }

  close(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    try {
      fs.closeSync(fd);
    } catch (error) {
      throw ioError('close', this.path, error);
    }
  }
}

/** Lock files held by this process: a second open of the same directory in-process is refused too. */
const heldLocks = new Set<string>();

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class DiskFileSystem implements FileSystem {
  open(path: string, mode: 'read' | 'append' | 'create'): FileHandle {
    try {
      // 'a+' and 'w+' so that append-mode handles can also be read (pread) by the recovery code.
      return new DiskFileHandle(path, fs.openSync(path, mode === 'read' ? 'r' : mode === 'append' ? 'a+' : 'w+'));
    } catch (error) {
      throw ioError('open', path, error);
    }
  }

  exists(path: string): boolean {
    return fs.existsSync(path);
  }

  list(dir: string): string[] {
    try {
      return fs.readdirSync(dir).sort();
    } catch (error) {
      throw ioError('list', dir, error);
    }
  }

  mkdir(dir: string): void {
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw ioError('mkdir', dir, error);
    }
  }

  rename(from: string, to: string): void {
    try {
      fs.renameSync(from, to);
    } catch (error) {
      throw ioError('rename', `${from} -> ${to}`, error);
    }
  }

  remove(path: string): void {
    try {
      fs.unlinkSync(path);
    } catch (error) {
      throw ioError('remove', path, error);
    }
  }

  async syncDir(dir: string): Promise<void> {
    let fd: number;
    try {
      fd = fs.openSync(dir, 'r');
    } catch (error) {
      throw ioError('open', dir, error);
    }
    try {
      await fsyncFd(fd, false);
    } catch (error) {
      throw ioError('fsync', dir, error);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** An exclusively created file holding our pid. A lock file whose pid is no longer running is left over
   *  from a killed process (SIGKILL runs no clean-up) and is taken over. */
  lock(path: string): { release(): void } {
    if (heldLocks.has(path)) throw new StrataError('Busy', `${path} is already held by this process`);
    for (let attempt = 0; ; attempt++) {
      try {
        fs.writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError('lock', path, error);
        // Another process took over the stale lock between our removal and our retry.
        if (attempt > 0) throw new StrataError('Busy', `${path} is held by another process`);
      }
      let owner = Number.NaN;
      try {
        owner = Number.parseInt(fs.readFileSync(path, 'utf8'), 10);
      } catch {
        // Vanished or unreadable: retry the exclusive create once.
      }
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && processAlive(owner)) {
        throw new StrataError('Busy', `${path} is held by running process ${owner} (remove it if that is not a Strata process)`);
      }
      fs.rmSync(path, { force: true });
    }
    heldLocks.add(path);
    let held = true;
    return {
      release: () => {
        if (!held) return;
        held = false;
        heldLocks.delete(path);
        fs.rmSync(path, { force: true });
      },
    };
  }
}

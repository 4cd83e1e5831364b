// Facts about the machine a figure was measured on, and the page-cache drop between load and run.
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import type { CacheDrop } from './result.js';

export interface MachineFacts {
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  node: string;
  platform: string;
  kernel: string;
  dataDir: string;
  filesystem: string;
  device: string;
  /** 1 = spinning disk, 0 = SSD/virtual, per /sys/block; undefined when unknown. */
  rotational?: number;
  /** Load average when the run started: other work on a shared machine skews figures. */
  loadAverage: number[];
}

export function machineFacts(dataDir: string): MachineFacts {
  const cpus = os.cpus();
  const mount = mountOf(dataDir);
  const rotational = rotationalOf(mount.device);
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryBytes: os.totalmem(),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
    dataDir,
    filesystem: mount.type,
    device: mount.device,
    ...(rotational === undefined ? {} : { rotational }),
    loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
  };
}

/** The mount holding `dir`: the longest mount point that prefixes its real path (Linux /proc/mounts). */
function mountOf(dir: string): { device: string; type: string } {
  try {
    const real = realpathSync(dir);
    let best = { point: '', device: 'unknown', type: 'unknown' };
    for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [device, point, type] = line.split(' ');
      if (!device || !point || !type) continue;
      const inside = point === '/' || real === point || real.startsWith(point + '/');
      if (inside && point.length >= best.point.length) best = { point, device, type };
    }
    return best;
  } catch {
    return { device: 'unknown', type: 'unknown' };
  }
}

function rotationalOf(device: string): number | undefined {
  const name = /^\/dev\/([a-z]+)/.exec(device)?.[1];
  if (!name) return undefined;
  try {
    return Number(readFileSync(`/sys/block/${name}/queue/rotational`, 'utf8').trim());
  } catch {
    return undefined;
  }
}

/** Sync dirty pages, then ask the kernel to drop the page cache (needs root; reported either way). */
export function dropPageCache(enabled: boolean): CacheDrop {
  if (!enabled) return { attempted: false, dropped: false, detail: 'not attempted (--no-drop-caches)' };
  try {
    execFileSync('sync');
    writeFileSync('/proc/sys/vm/drop_caches', '3');
    return { attempted: true, dropped: true, detail: 'sync; echo 3 > /proc/sys/vm/drop_caches' };
  } catch (err) {
    return { attempted: true, dropped: false, detail: `could not drop caches: ${(err as Error).message}` };
  }
}

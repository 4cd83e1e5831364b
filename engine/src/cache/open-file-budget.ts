// A bound on the table files held open (file descriptors): tables report each time they open their file,
// and once more than `limit` hold one, the least recently opened ones release theirs (a released table
// reopens its file on its next block read, and reports again).

export interface FileHolder {
  releaseFile(): void;
}

export class OpenFileBudget {
  /** Holders in the order they opened their files (a Set keeps insertion order). */
  private readonly holders = new Set<FileHolder>();

  constructor(readonly limit: number) {}

  get open(): number {
    return this.holders.size;
  }

  opened(holder: FileHolder): void {
    this.holders.delete(holder);
    this.holders.add(holder);
    for (const oldest of this.holders) {
      if (this.holders.size <= this.limit) break;
      this.holders.delete(oldest);
      oldest.releaseFile();
    }
  }

  /** The holder closed its file itself. */
  released(holder: FileHolder): void {
    this.holders.delete(holder);
  }
}

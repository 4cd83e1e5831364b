// Errors are values with a kind and a message a user can act on: which file, which offset, what was expected.

export type ErrorKind = 'Corruption' | 'IOError' | 'InvalidArgument' | 'NotFound' | 'Busy' | 'Closed';

export class StrataError extends Error {
  readonly kind: ErrorKind;
  /** The underlying system error code (EIO, ENOSPC, ...) when there is one. */
  readonly code?: string;

  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown; code?: string }) {
    super(`${kind}: ${message}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StrataError';
    this.kind = kind;
    if (options?.code !== undefined) this.code = options.code;
  }
}

export const corruption = (file: string, offset: number, what: string): StrataError =>
  new StrataError('Corruption', `${file} at offset ${offset}: ${what}`);

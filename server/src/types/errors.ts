// Redis 7's error replies for the data commands, word for word (clients and tests match on them).

export const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
export const NOT_INTEGER = 'ERR value is not an integer or out of range';
export const NOT_FLOAT = 'ERR value is not a valid float';
export const SYNTAX = 'ERR syntax error';
export const OVERFLOW = 'ERR increment or decrement would overflow';
export const NAN_OR_INFINITY = 'ERR increment would produce NaN or Infinity';
export const TOO_BIG = 'ERR string exceeds maximum allowed size (proto-max-bulk-len)';
export const NO_SUCH_KEY = 'ERR no such key';
export const DB_OUT_OF_RANGE = 'ERR DB index is out of range';
export const SAME_OBJECT = 'ERR source and destination objects are the same';
export const INVALID_CURSOR = 'ERR invalid cursor';

export const invalidExpireTime = (command: string): string => `ERR invalid expire time in '${command}' command`;
export const wrongArity = (command: string): string => `ERR wrong number of arguments for '${command}' command`;

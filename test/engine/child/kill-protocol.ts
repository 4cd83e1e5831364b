// What the writer child and the kill test agree on: key names and the value each key must hold.

export const keyFor = (round: number, writer: number, index: number): string => `r${round}/w${writer}/${index}`;

/** The value written under `key`: derived from the key, of varying length, so the parent can check it. */
export function valueFor(key: string): string {
  let hash = 0;
  for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) >>> 0;
  return `${key}|`.repeat(1 + (hash % 20));
}

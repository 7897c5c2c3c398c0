/** Hashing for fixed-memory sets (the bulk runner's Bloom filter, the CLI's duplicate check). Internal. */

/**
 * Two independent 32-bit hashes of a text (FNV-1a, and a multiply-xorshift variant), for a
 * Bloom filter here and for the CLI's duplicate check: cheap, and no text kept per entry.
 */
export function hashPair(text: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [a >>> 0, b >>> 0];
}

/**
 * Real coordinates of many points in blocks of four: block b holds coordinates 4b … 4b+3 of every row, row-major
 * (blocks[b][4·row + k]), zero-padded past the last coordinate. A kernel sum then reads four coordinates per row
 * into locals and updates its accumulator once per block, which V8 runs about twice as fast as one pass per
 * coordinate (measured: 0.39 ms against 0.72 ms for 24 points × 5,000 rows × 6 coordinates).
 */
export type Blocks = Float64Array[];

export function blockCount(dims: number): number {
  return Math.ceil(dims / 4);
}

export function makeBlocks(dims: number, rows: number): Blocks {
  return Array.from({ length: blockCount(dims) }, () => new Float64Array(4 * rows));
}

export function getCoord(blocks: Blocks, row: number, j: number): number {
  return blocks[j >> 2]![4 * row + (j & 3)]!;
}

export function setCoord(blocks: Blocks, row: number, j: number, v: number): void {
  blocks[j >> 2]![4 * row + (j & 3)] = v;
}

/** A copy of `blocks` with room for `rows` rows. */
export function growBlocks(blocks: Blocks, rows: number): Blocks {
  return blocks.map((b) => {
    const grown = new Float64Array(4 * rows);
    grown.set(b.subarray(0, Math.min(b.length, grown.length)));
    return grown;
  });
}

/** Copies rows `rows` of `src` to rows 0, 1, … of `out`. */
export function gatherBlocks(src: Blocks, rows: Int32Array, out: Blocks): void {
  src.forEach((from, b) => {
    const to = out[b]!;
    for (let i = 0; i < rows.length; i++) {
      const s = 4 * rows[i]!;
      const d = 4 * i;
      to[d] = from[s]!;
      to[d + 1] = from[s + 1]!;
      to[d + 2] = from[s + 2]!;
      to[d + 3] = from[s + 3]!;
    }
  });
}

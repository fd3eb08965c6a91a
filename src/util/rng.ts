/**
 * A seeded random source (xoshiro128**, seeded through splitmix32) so every analysis with a fixed
 * --seed repeats exactly on every platform.
 */
export class Rng {
  private s = new Uint32Array(4);
  private spare: number | null = null;

  /** `stream` picks one of 2³² independent streams of a seed (see `Rng.forIndex`); 0 is the seed's own. */
  constructor(seed: number, stream = 0) {
    let x = seed >>> 0;
    let y = stream >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      this.s[i] = mix32(x);
      if (stream !== 0) {
        y = (y + 0x7f4a7c15) >>> 0;
        this.s[i] = (this.s[i] ^ mix32(Math.imul(mix32(y), 0x27d4eb2f) >>> 0)) >>> 0;
      }
    }
    // xoshiro's state must not be all zero (its only fixed point).
    if (!this.s.some((w) => w !== 0)) this.s[0] = 1;
  }

  /**
   * The random source of work item `index` (a Hutchinson probe, an SLQ run) of an analysis seeded
   * with `seed`: it depends on the pair alone, so whichever machine computes item `index`, a shard
   * or a single run, draws the same vector.
   */
  static forIndex(seed: number, index: number): Rng {
    if (!Number.isInteger(index) || index < 0 || index >= 2 ** 32 - 1)
      throw new Error(`A work-item index must be an integer in [0, 2³²−1), got ${index}.`);
    return new Rng(seed, index + 1);
  }

  /** A uniform 32-bit integer. */
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    return (this.nextU32() * 2 ** 21 + (this.nextU32() >>> 11)) / 2 ** 53;
  }

  /** Standard normal (Box-Muller, both values used). */
  gaussian(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    const t = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(t);
    return r * Math.cos(t);
  }

  rademacher(): number {
    return this.nextU32() & 1 ? 1 : -1;
  }

  // Plain loops, in draw order: Float64Array.from({ length }, fn) is many times slower on P-vectors.
  gaussianVector(n: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.gaussian();
    return out;
  }

  rademacherVector(n: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.rademacher();
    return out;
  }
}

/** splitmix32's finalizer: a bijection of 32-bit words that mixes every input bit into every output bit. */
function mix32(x: number): number {
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * Splitting independent work over machines (Slurm array tasks, Kubernetes Indexed Job pods): shard
 * I of N takes a fixed, contiguous range of the work items, numbered as a single run numbers them —
 * grid points in row-major order (i·ny + j), Hutchinson probes and SLQ runs by their index. Every
 * item's randomness derives from (seed, index) alone, so a shard computes exactly what the single
 * run computes for its items and the merge puts them back in order.
 */

export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
}

/** Shard I of N takes items [⌊I·T/N⌋, ⌊(I+1)·T/N⌋): contiguous, sizes differing by at most one. */
export function shareRange(total: number, shard: Shard): { from: number; to: number } {
  return {
    from: Math.floor((shard.index * total) / shard.count),
    to: Math.floor(((shard.index + 1) * total) / shard.count),
  };
}

/** The indices of a shard's items, or all of them without a shard. */
export function shareIndices(total: number, shard: Shard | null | undefined): number[] {
  const { from, to } = shard ? shareRange(total, shard) : { from: 0, to: total };
  return Array.from({ length: Math.max(0, to - from) }, (_v, k) => from + k);
}

/** Environment variables that hold a task's index: Slurm job arrays, Kubernetes Indexed Jobs. */
export const SHARD_INDEX_VARIABLES = ['SLURM_ARRAY_TASK_ID', 'JOB_COMPLETION_INDEX'] as const;

/**
 * `I/N` (0 ≤ I < N), or `auto/N`: I from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX (the first
 * set). Every refusal names the value, and for `auto` the variable it came from.
 */
export function parseShard(text: string, env: Record<string, string | undefined> = {}): Shard {
  const m = /^(auto|\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new Error(`'${text}' is not a shard: give I/N (0 ≤ I < N), e.g. 0/4, or auto/N.`);
  const count = Number(m[2]);
  if (count < 1) throw new Error(`The shard '${text}' has N = ${count}; N must be at least 1.`);
  let index: number;
  let from = '';
  if (m[1] === 'auto') {
    const name = SHARD_INDEX_VARIABLES.find((v) => env[v] !== undefined && env[v] !== '');
    if (!name)
      throw new Error(
        `--shard ${text} reads the task index from ${SHARD_INDEX_VARIABLES.join(' or ')}, and neither is set: run it as a Slurm array task or a Kubernetes Indexed Job pod, or give the index (I/${count}).`,
      );
    const value = env[name] as string;
    if (!/^\d+$/.test(value)) throw new Error(`${name} is '${value}', not a task index (a non-negative integer).`);
    index = Number(value);
    from = ` (from ${name})`;
  } else index = Number(m[1]);
  if (index >= count)
    throw new Error(
      `The shard index ${index}${from} is not below the shard count ${count}: shards are numbered 0 to ${count - 1}.`,
    );
  return { index, count };
}

export function shardLabel(s: Shard): string {
  return `${s.index}/${s.count}`;
}

import { basename } from 'node:path';
import { type Shard, shardLabel } from '../analysis/shard';

/** Progress lines on stderr: rewritten in place on a terminal, one line per 2 s otherwise. */
export function stderrProgress(label: string): {
  update(stage: string, done: number, total: number, message: string, eta: number | null): void;
  done(): void;
} {
  const tty = process.stderr.isTTY;
  let last = 0;
  return {
    update(stage, done, total, message, eta) {
      const now = Date.now();
      if (!tty && now - last < 2000 && done < total) return;
      last = now;
      const etaText = eta === null ? '' : ` ETA ${Math.ceil(eta)}s`;
      const line = `${label} ${stage} ${done}/${total}${etaText} ${message}`;
      process.stderr.write(tty ? `\r\x1b[K${line.slice(0, (process.stderr.columns ?? 120) - 1)}` : `${line}\n`);
    },
    done() {
      if (tty) process.stderr.write('\r\x1b[K');
    },
  };
}

/** Print a note on stderr unless the command's output is JSON (then stdout stays machine-readable and stderr quiet). */
export function noteUnlessJson(opts: { json?: boolean }): (line: string) => void {
  return (line) => {
    if (!opts.json) process.stderr.write(`${line}\n`);
  };
}

/** Say which backend computes (and why not the GPU, when `auto` fell back to the CPU). */
export function noteBackend(opts: { json?: boolean }, ev: { backend: string; backendNotice: string | null }): void {
  noteUnlessJson(opts)(`backend: ${ev.backend}${ev.backendNotice ? ` (${ev.backendNotice})` : ''}`);
}

export type DeviceMemory = { plans: number; arrays: number; peak: number };

/** Say how much device memory the run held (a GPU backend only; with --json it goes in the JSON). */
export function noteDeviceMemory(opts: { json?: boolean }, memory: DeviceMemory | null): void {
  if (!memory) return;
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  noteUnlessJson(opts)(
    `device memory: ${mb(memory.peak)} at most (now ${mb(memory.plans)} in executables, ${mb(memory.arrays)} in arrays)`,
  );
}

/** Ctrl-C aborts the work (which then ends as `cancelled`) instead of killing the process. */
export function withCancel<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  return fn(controller.signal).finally(() => process.off('SIGINT', onSigint));
}

/** How a CLI command is recorded: its inputs, and options complete enough to run it again. */
export function runSpec(
  kind: string,
  modelPath: string,
  opts: { data?: string; weights?: string; seed?: number; db?: string; json?: boolean; shard?: Shard | null },
) {
  const { db: _db, json: _json, ...options } = opts as Record<string, unknown>;
  delete options.boundWeights;
  return {
    kind,
    modelPath,
    dataPath: opts.data,
    weightsPath: opts.weights,
    seed: opts.seed,
    shard: opts.shard,
    name: `${kind} ${basename(modelPath)}${opts.weights ? ` @ ${basename(opts.weights)}` : ''}${opts.shard ? ` shard ${shardLabel(opts.shard)}` : ''}`,
    options: { model: modelPath, ...options },
  };
}

/** A shard's share is only of use recorded, for `saddle runs merge` to put together. */
export function requireDbForShard(opts: { shard?: Shard | null; db?: string }): void {
  if (opts.shard && !opts.db)
    throw new Error(
      `--shard ${shardLabel(opts.shard)} computes a share of the job for \`saddle runs merge\`; give --db, the database this shard records it in.`,
    );
}

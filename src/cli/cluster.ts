/**
 * `saddle slurm` and `saddle k8s`: one command, as it would run on one machine (its --db the merged
 * run's database), becomes a scheduler job of N shards plus a merge that runs once all succeeded.
 *  - Slurm: an sbatch array script (task i runs the command with --shard auto/N into shard-i.db),
 *    a merge script submitted with --dependency=afterok on the array, and submit.sh; --submit runs
 *    sbatch at once. A failed shard is re-run alone with `sbatch --array=I array.sbatch`.
 *  - Kubernetes: an Indexed Job manifest (completionMode: Indexed; the pod's JOB_COMPLETION_INDEX is
 *    its shard) and a merge Job, applied in turn by submit.sh (`kubectl wait` between them).
 * The scripts quote every argument for the shell; paths are resolved where the script is written.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Command } from 'commander';

/** Commands whose work splits into shards. */
export const SHARDABLE = ['landscape', 'interpolate', 'trajectory', 'hessian', 'series'];

/** A word for a POSIX shell: bare when that is safe, else in single quotes. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The inner command, checked by the real parser, and the options it parsed to. */
export interface InnerCommand {
  name: string;
  args: string[];
  opts: Record<string, unknown>;
  /** The options given on the command line (not defaults). */
  given: string[];
}

/**
 * Parse `args` (a saddle command line without `saddle`) with the program's own definition of that
 * command, so a typo fails here rather than in N queued tasks. `program` is a fresh buildProgram().
 */
export function parseInner(program: Command, args: string[]): InnerCommand {
  const [name, ...rest] = args;
  if (!name || !SHARDABLE.includes(name))
    throw new Error(
      `${name ? `'${name}' does not split into shards` : 'No command given'}: give one of ${SHARDABLE.join(', ')} with its options, e.g. landscape model.onnx --data data.npz --db merged.db.`,
    );
  const sub = program.commands.find((c) => c.name() === name) as Command;
  let opts: Record<string, unknown> | null = null;
  let given: string[] = [];
  let failure = '';
  for (const c of [program, sub])
    c.exitOverride().configureOutput({ writeErr: (s) => (failure += s), writeOut: () => {} });
  sub.action((...a: unknown[]) => {
    const cmd = a[a.length - 1] as Command;
    opts = cmd.opts();
    given = Object.keys(opts).filter((k) => cmd.getOptionValueSource(k) !== 'default');
  });
  try {
    program.parse(['node', 'saddle', name, ...rest]);
  } catch {
    throw new Error(`The ${name} command does not parse: ${failure.trim().replace(/^error: /, '')}`);
  }
  const o = opts as Record<string, unknown> | null;
  if (!o) throw new Error(`The ${name} command does not parse.`);
  if (o.shard) throw new Error('Leave --shard out: each task gets --shard auto/N.');
  if (!o.db) throw new Error(`Give the ${name} command --db: the database the merged run is written to.`);
  if (name === 'hessian' && !o.trace && !o.density)
    throw new Error('A sharded hessian run splits --trace probes and --density runs; give one of them.');
  return { name, args: rest, opts: o, given };
}

export interface ClusterOptions {
  shards: number;
  /** Where the scripts, logs and shard databases go. */
  dir: string;
  /** How the nodes run Saddle (a command line); default: this Node and this saddle script. */
  saddle?: string;
  name?: string;
}

function saddleWords(o: ClusterOptions, fallback: string[]): string {
  return o.saddle ?? fallback.map(shellQuote).join(' ');
}

/** The inner command's words for a task, with the shard's options appended. */
function taskWords(inner: InnerCommand, shards: number, db: string): string {
  const dropDb: string[] = [];
  for (let k = 0; k < inner.args.length; k++) {
    const a = inner.args[k];
    if (a === '--db') k++;
    else if (!a.startsWith('--db=')) dropDb.push(a);
  }
  return [inner.name, ...dropDb, '--shard', `auto/${shards}`].map(shellQuote).join(' ') + ` --db ${db}`;
}

export interface SlurmOptions extends ClusterOptions {
  submit?: boolean;
  partition?: string;
  time?: string;
  cpusPerTask?: number;
  mem?: string;
  gres?: string;
  /** Further #SBATCH lines, each an sbatch option (e.g. --account=abc). */
  sbatch?: string[];
}

export interface SlurmFiles {
  array: string;
  merge: string;
  submit: string;
  shardDbs: string[];
}

/** Write the array script, the merge script and submit.sh into o.dir. */
export function writeSlurm(inner: InnerCommand, o: SlurmOptions, cwd: string, saddle: string[]): SlurmFiles {
  const dir = resolve(cwd, o.dir);
  mkdirSync(dir, { recursive: true });
  const name = o.name ?? `saddle-${inner.name}`;
  const run = saddleWords(o, saddle);
  const common = [
    ...(o.partition ? [`--partition=${o.partition}`] : []),
    ...(o.time ? [`--time=${o.time}`] : []),
    ...(o.mem ? [`--mem=${o.mem}`] : []),
    ...(o.sbatch ?? []),
  ];
  const header = (lines: string[]) => [
    '#!/bin/bash',
    ...lines.map((l) => `#SBATCH ${l}`),
    'set -euo pipefail',
    `cd ${shellQuote(cwd)}`,
  ];
  const threads = o.cpusPerTask && !inner.given.includes('threads') ? ' --threads "$SLURM_CPUS_PER_TASK"' : '';
  const shardDbs = Array.from({ length: o.shards }, (_v, i) => join(dir, `shard-${i}.db`));
  // An earlier job's shards there would be merged with this one's (and be reported as duplicates).
  const earlier = readdirSync(dir).filter((f) => /^shard-\d+\.db$/.test(f));
  if (earlier.length)
    throw new Error(
      `${dir} already holds shard databases (${earlier.slice(0, 3).join(', ')}${earlier.length > 3 ? ', ...' : ''}) of an earlier job; give another --dir, or remove them. To re-run one shard of that job: sbatch --array=I ${join(dir, 'array.sbatch')}.`,
    );
  const array = [
    ...header([
      `--job-name=${name}`,
      `--array=0-${o.shards - 1}`,
      `--output=${join(dir, 'shard-%a.log')}`,
      ...(o.cpusPerTask ? [`--cpus-per-task=${o.cpusPerTask}`] : []),
      ...(o.gres ? [`--gres=${o.gres}`] : []),
      ...common,
    ]),
    `# Task I computes shard I of ${o.shards} into its own database; re-run one alone: sbatch --array=I ${shellQuote(join(dir, 'array.sbatch'))}`,
    `exec ${run} ${taskWords(inner, o.shards, `${shellQuote(join(dir, 'shard-'))}"$SLURM_ARRAY_TASK_ID".db`)}${threads}`,
    '',
  ].join('\n');
  const merge = [
    ...header([`--job-name=${name}-merge`, `--output=${join(dir, 'merge.log')}`, ...common]),
    `exec ${run} runs merge ${shellQuote(resolve(cwd, String(inner.opts.db)))} ${shardDbs.map(shellQuote).join(' ')}`,
    '',
  ].join('\n');
  const files = {
    array: join(dir, 'array.sbatch'),
    merge: join(dir, 'merge.sbatch'),
    submit: join(dir, 'submit.sh'),
    shardDbs,
  };
  const submit = [
    '#!/bin/bash',
    '# The shards as a job array, then the merge once every task has succeeded (afterok).',
    'set -euo pipefail',
    // --parsable prints `id` or `id;cluster`.
    `array=$(sbatch --parsable ${shellQuote(files.array)} | cut -d';' -f1)`,
    `merge=$(sbatch --parsable --dependency=afterok:"$array" --kill-on-invalid-dep=yes ${shellQuote(files.merge)} | cut -d';' -f1)`,
    'echo "submitted the shards as job $array and the merge as job $merge"',
    '',
  ].join('\n');
  writeFileSync(files.array, array, { mode: 0o755 });
  writeFileSync(files.merge, merge, { mode: 0o755 });
  writeFileSync(files.submit, submit, { mode: 0o755 });
  return files;
}

/** sbatch the array, then the merge depending on it; their job ids. */
export function submitSlurm(files: SlurmFiles): { array: string; merge: string } {
  const sbatch = (args: string[]) => {
    try {
      return execFileSync('sbatch', ['--parsable', ...args], { encoding: 'utf8' })
        .trim()
        .split(';')[0];
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stderr?: string };
      if (err.code === 'ENOENT')
        throw new Error('sbatch is not on PATH: run saddle slurm --submit on a Slurm login node, or submit.sh there.');
      throw new Error(`sbatch refused ${args[args.length - 1]}: ${String(err.stderr ?? err.message).trim()}`);
    }
  };
  const array = sbatch([files.array]);
  const merge = sbatch([`--dependency=afterok:${array}`, '--kill-on-invalid-dep=yes', files.merge]);
  return { array, merge };
}

export interface K8sOptions extends ClusterOptions {
  image: string;
  /** A PersistentVolumeClaim holding the inputs and the databases, mounted at `mount`. */
  pvc?: string;
  mount: string;
  /** The working directory in the container (relative paths resolve there). */
  workdir?: string;
  cpu?: string;
  memory?: string;
  gpus?: number;
  parallelism?: number;
}

/** A YAML block for plain data; every string is a JSON (so YAML double-quoted) scalar. */
export function toYaml(value: unknown, indent = ''): string {
  if (Array.isArray(value))
    return value.map((v) => `\n${indent}- ${toYaml(v, `${indent}  `).replace(/^\n\s*/, '')}`).join('');
  if (value && typeof value === 'object')
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(
        ([k, v]) =>
          `\n${indent}${k}:${typeof v === 'object' && v !== null ? toYaml(v, `${indent}  `) : ` ${toYaml(v)}`}`,
      )
      .join('');
  return JSON.stringify(value);
}

/** Write the Indexed Job, the merge Job and submit.sh into o.dir; paths inside are the container's. */
export function writeK8s(
  inner: InnerCommand,
  o: K8sOptions,
  cwd: string,
): { job: string; merge: string; submit: string } {
  const dir = resolve(cwd, o.dir);
  mkdirSync(dir, { recursive: true });
  const name = (o.name ?? `saddle-${inner.name}`).toLowerCase().replace(/[^a-z0-9-]/g, '-');
  const workdir = o.workdir ?? o.mount;
  const inContainer = (p: string) => (isAbsolute(p) ? p : join(workdir, p));
  const out = inContainer(String(inner.opts.db));
  const shardDir = join(dirname(out), `${name}-shards`);
  const run = o.saddle ?? 'saddle';
  const resources = {
    requests: { cpu: o.cpu, memory: o.memory },
    limits: o.gpus ? { 'nvidia.com/gpu': o.gpus } : undefined,
  };
  const container = (script: string) => ({
    name: 'saddle',
    image: o.image,
    workingDir: workdir,
    command: ['sh', '-c', script],
    resources: o.cpu || o.memory || o.gpus ? resources : undefined,
    volumeMounts: o.pvc ? [{ name: 'work', mountPath: o.mount }] : undefined,
  });
  const pod = (script: string) => ({
    spec: {
      restartPolicy: 'Never',
      containers: [container(script)],
      volumes: o.pvc ? [{ name: 'work', persistentVolumeClaim: { claimName: o.pvc } }] : undefined,
    },
  });
  const threads = o.cpu && !inner.given.includes('threads') ? ` --threads ${shellQuote(o.cpu)}` : '';
  const shardScript = `mkdir -p ${shellQuote(shardDir)} && exec ${run} ${taskWords(inner, o.shards, `${shellQuote(`${shardDir}/shard-`)}"$JOB_COMPLETION_INDEX".db`)}${threads}`;
  const shardDbs = Array.from({ length: o.shards }, (_v, i) => `${shardDir}/shard-${i}.db`);
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: {
      completionMode: 'Indexed',
      completions: o.shards,
      parallelism: o.parallelism ?? o.shards,
      template: pod(shardScript),
    },
  };
  const merge = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `${name}-merge` },
    spec: {
      backoffLimit: 0,
      template: pod(`exec ${run} runs merge ${shellQuote(out)} ${shardDbs.map(shellQuote).join(' ')}`),
    },
  };
  const files = { job: join(dir, 'job.yaml'), merge: join(dir, 'merge.yaml'), submit: join(dir, 'submit.sh') };
  const note = '# Written by `saddle k8s`.';
  writeFileSync(
    files.job,
    `${note} Shard I of ${o.shards} runs in the pod with JOB_COMPLETION_INDEX=I.${toYaml(job)}\n`,
  );
  writeFileSync(files.merge, `${note} Apply once the Job ${name} is complete.${toYaml(merge)}\n`);
  writeFileSync(
    files.submit,
    [
      '#!/bin/bash',
      '# The shards as an Indexed Job, then the merge once every index has succeeded.',
      'set -euo pipefail',
      `kubectl apply -f ${shellQuote(files.job)}`,
      `kubectl wait --for=condition=complete --timeout=-1s job/${name}`,
      `kubectl apply -f ${shellQuote(files.merge)}`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return files;
}

/** `saddle slurm` and `saddle k8s`: their options, and the actions that write (or submit) the job. */
import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import {
  type K8sOptions,
  parseInner,
  SHARDABLE,
  type SlurmOptions,
  submitSlurm,
  writeK8s,
  writeSlurm,
} from './cluster';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`'${value}' is not a positive integer.`);
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * Add both commands to `program`. Each parses its inner command with a fresh program from
 * `buildProgram`, so the inner options are checked by the very definitions a task will use.
 */
export function addClusterCommands(program: Command, buildProgram: () => Command): void {
  // The inner command's options come after it: they pass through untouched (passThroughOptions).
  program.enablePositionalOptions();
  program
    .command('slurm')
    .description(
      'run a landscape, interpolate, trajectory, series or hessian --trace/--density command as a Slurm job array of N shards, merged into its --db by a job that depends on it (afterok)',
    )
    .usage('--shards <n> [options] <command> <args...>')
    .argument('<command>', `the command to split: ${SHARDABLE.join(', ')}`)
    .argument('[args...]', 'its arguments and options as on one machine, with --db the merged database')
    .requiredOption('--shards <n>', 'array tasks (shards)', positiveInt)
    .option('--dir <dir>', 'where the scripts, logs and shard databases go (on a shared file system)', 'saddle-slurm')
    .option('--submit', 'submit at once with sbatch (else write the scripts and submit.sh)')
    .option('--partition <name>', 'sbatch --partition')
    .option('--time <limit>', 'sbatch --time, per task')
    .option('--cpus-per-task <n>', "sbatch --cpus-per-task; also the tasks' --threads", positiveInt)
    .option('--mem <size>', 'sbatch --mem, per task')
    .option('--gres <spec>', 'sbatch --gres per task, e.g. gpu:1')
    .option('--sbatch <option>', 'a further sbatch option, e.g. --sbatch=--account=abc (repeatable)', collect, [])
    .option('--saddle <command>', 'how the nodes run Saddle (default: this Node with this saddle script)')
    .option('--name <name>', 'job name (default saddle-<command>)')
    .option('--json', 'print JSON')
    .passThroughOptions()
    .action((command: string, args: string[], o: SlurmOptions & { json?: boolean }) => {
      const inner = parseInner(buildProgram(), [command, ...args]);
      const files = writeSlurm(inner, o, process.cwd(), [process.execPath, resolve(process.argv[1] ?? 'saddle')]);
      const jobs = o.submit ? submitSlurm(files) : null;
      if (o.json) process.stdout.write(`${JSON.stringify({ ...files, jobs })}\n`);
      else if (jobs)
        process.stdout.write(
          `submitted ${o.shards} shards as job ${jobs.array} and the merge as job ${jobs.merge} (afterok)\n`,
        );
      else process.stdout.write(`wrote ${files.array} and ${files.merge}; submit both with: bash ${files.submit}\n`);
    });

  program
    .command('k8s')
    .description(
      'write a Kubernetes Indexed Job of N shards of a landscape, interpolate, trajectory, series or hessian --trace/--density command, and the Job that merges them',
    )
    .usage('--shards <n> --image <image> [options] <command> <args...>')
    .argument('<command>', `the command to split: ${SHARDABLE.join(', ')}`)
    .argument('[args...]', 'its arguments and options, paths as the container sees them, with --db the merged database')
    .requiredOption('--shards <n>', 'completions (shards)', positiveInt)
    .requiredOption('--image <image>', 'a container image with saddle on its PATH')
    .option('--dir <dir>', 'where the manifests and submit.sh are written', 'saddle-k8s')
    .option('--pvc <claim>', 'a PersistentVolumeClaim with the inputs and the databases')
    .option('--mount <path>', 'where the claim is mounted', '/work')
    .option('--workdir <path>', 'the working directory in the container (default: the mount)')
    .option('--cpu <n>', "CPU request per pod; also the pods' --threads")
    .option('--memory <size>', 'memory request per pod, e.g. 8Gi')
    .option('--gpus <n>', 'nvidia.com/gpu limit per pod', positiveInt)
    .option('--parallelism <n>', 'pods at once (default: all shards)', positiveInt)
    .option('--saddle <command>', 'how the container runs Saddle', 'saddle')
    .option('--name <name>', 'Job name (default saddle-<command>)')
    .option('--json', 'print JSON')
    .passThroughOptions()
    .action((command: string, args: string[], o: K8sOptions & { json?: boolean }) => {
      const files = writeK8s(parseInner(buildProgram(), [command, ...args]), o, process.cwd());
      process.stdout.write(
        o.json
          ? `${JSON.stringify(files)}\n`
          : `wrote ${files.job} and ${files.merge}; run both in turn with: bash ${files.submit}\n`,
      );
    });
}

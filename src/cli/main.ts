/** The `saddle` command line. Each command is a thin wrapper over the engine in src/. */
import { availableParallelism } from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseShard, type Shard } from '../analysis/shard';
import { EXPORT_FORMATS } from '../export';
import { CSV_TABLES } from '../export/csv';
import { FIGURES } from '../export/figures';
import { SADDLE_VERSION } from '../version';
import { addClusterCommands } from './cluster-commands';
import { demoCommand } from './demo';
import { gpuInfoCommand } from './gpu-info';
import { type HessianCliOptions, hessianCommand } from './hessian';
import { infoCommand } from './info';
import {
  type InterpolateCliOptions,
  interpolateCommand,
  type LandscapeCliOptions,
  landscapeCommand,
  resumeRun,
  type TrajectoryCliOptions,
  trajectoryCommand,
} from './landscape';
import { lossCommand } from './loss';
import { runsDelete, runsExport, runsImport, runsList, runsMerge, runsShow } from './runs';
import { type SeriesCliOptions, seriesCommand } from './series';
import { parseBytes, serveCommand } from './serve';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`'${value}' is not a positive integer.`);
  return n;
}

function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError(`'${value}' is not a number of zero or more.`);
  return n;
}

function numberList(value: string): number[] {
  const xs = value.split(',').map(Number);
  if (xs.some((x) => !Number.isFinite(x)))
    throw new InvalidArgumentError(`'${value}' is not a comma-separated list of numbers.`);
  return xs;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`'${value}' is not a non-negative integer.`);
  return n;
}

function shardOption(value: string): Shard {
  try {
    return parseShard(value, process.env);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

const SHARD_HELP =
  'compute only shard I of N (0-based; auto/N: I from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX) into --db, for saddle runs merge';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`'${value}' is not a port number.`);
  return n;
}

/** The options every command that evaluates the model over a data set takes. */
function addDataOptions(cmd: Command): Command {
  return addEvaluationOptions(
    cmd
      .requiredOption(
        '--data <files>',
        'an .npz (inputs, targets), or comma-separated .npy pair, MNIST IDX pair or CIFAR .bin batches',
      )
      .option('--weights <file>', 'weights from a PyTorch (.pt/.pth), safetensors or .npz checkpoint, bound by name'),
  );
}

/** How the model is evaluated over a data set (loss, batches, subset, preprocessing, threads, backend). */
function addEvaluationOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--loss <kind>', 'loss function').choices(['auto', 'cross-entropy', 'mse']).default('auto'))
    .option('--batch-size <n>', 'samples per mini-batch', positiveInt, 128)
    .option('--samples <n>', 'use a seeded random subset of n samples', positiveInt)
    .option('--seed <n>', 'seed of the subset and of random probes', Number, 0)
    .addOption(
      new Option('--bn <mode>', 'BatchNorm statistics: running (eval) or batch (train)')
        .choices(['eval', 'train'])
        .default('eval'),
    )
    .option('--scale <x>', 'divide the inputs by x (255 maps bytes to [0, 1])', Number)
    .option('--mean <list>', 'per-channel means to subtract, comma-separated', numberList)
    .option('--std <list>', 'per-channel standard deviations to divide by, comma-separated', numberList)
    .option('--nhwc', 'the inputs are channels-last: transpose to NCHW')
    .option(
      '--inputs-key <name>',
      'array holding the inputs (default: inputs, else the arrays named like the model inputs), or input=array pairs (input_ids=ids,attention_mask=mask)',
    )
    .option('--inputs <mapping>', 'model input = array pairs, as in input_ids=ids,attention_mask=mask (--inputs-key)')
    .option('--targets-key <name>', 'array holding the targets', 'targets')
    .option('--threads <n>', 'worker threads (default: all cores)', positiveInt, availableParallelism())
    .addOption(
      new Option('--backend <name>', 'where kernels run: auto (a hardware GPU if usable, else the CPU), cpu, webgpu')
        .choices(['auto', 'cpu', 'webgpu'])
        .default('auto'),
    )
    .option('--json', 'print JSON');
}

export function buildProgram(): Command {
  const program = new Command('saddle')
    .description('Loss-landscape and Hessian analyzer for neural networks (ONNX models).')
    .version(SADDLE_VERSION, '-V, --version')
    .showHelpAfterError();

  program
    .command('info')
    .description('describe a model (inputs, outputs, operators, trainable parameters), a checkpoint, or the GPU')
    .argument('[model]', 'an .onnx file or a checkpoint')
    .option('--gpu', 'describe the WebGPU adapter: backend, limits, features, and what --backend auto uses')
    .option('--json', 'print JSON')
    .action((model: string | undefined, opts: { json?: boolean; gpu?: boolean }) => {
      if (opts.gpu) return gpuInfoCommand(opts);
      if (!model) throw new Error('saddle info needs a model or checkpoint file, or --gpu.');
      return infoCommand(model, opts);
    });

  addDataOptions(
    program
      .command('loss')
      .description('the loss, accuracy and gradient norm of a model over a data set')
      .argument('<model>', 'an .onnx file'),
  )
    .option('--db <file>', 'record the run in this runs database (see saddle runs)')
    .action(lossCommand);

  addDataOptions(
    program
      .command('hessian')
      .description('Hessian spectrum: extreme eigenvalues, trace, spectral density, LLA criteria, per-layer curvature')
      .argument('<model>', 'an .onnx file'),
  )
    .option('--top-k <n>', 'largest eigenvalues', nonNegativeInt, 5)
    .option('--bottom-k <n>', 'smallest eigenvalues', nonNegativeInt, 3)
    .option('--iterations <n>', 'Lanczos steps (per SLQ run too)', positiveInt, 100)
    .option('--trace', 'estimate the trace')
    .addOption(
      new Option('--trace-method <m>', 'trace estimator').choices(['hutchinson', 'hutch++']).default('hutchinson'),
    )
    .option('--density', 'spectral density by stochastic Lanczos quadrature, with the LLA criteria')
    .option('--runs <n>', 'SLQ runs', positiveInt, 3)
    .option('--bandwidth <x>', 'density kernel variance factor (PyHessian: 1e-5)', Number, 1e-5)
    .option('--kh-n <x>', 'exponent n of the Kh criterion', Number, 0.5)
    .option('--per-layer', 'top eigenvalue and trace of each tensor and module block')
    .option(
      '--basis-memory <GiB>',
      'memory the Lanczos basis may take; past it the basis goes to a temporary file (TMPDIR) and is read only when partial reorthogonalization asks',
      nonNegativeNumber,
      2,
    )
    .option('--save-eigenvectors <file.npz>', 'write the eigenvectors as v1/<param>, v2/<param>, ...')
    .option('--db <file>', 'record the run in this runs database (see saddle runs)')
    .option('--eigenvectors', 'keep the eigenvectors in the recorded run (with --db)')
    .option(
      '--shard <I/N>',
      `${SHARD_HELP} (splits --trace probes and --density runs; shard 0 also runs the other stages)`,
      shardOption,
    )
    .action((model: string, opts: HessianCliOptions) => hessianCommand(model, opts));

  addDataOptions(
    program
      .command('landscape')
      .description('loss surface along two (or one) normalized directions')
      .argument('<model>', 'an .onnx file'),
  )
    .addOption(new Option('--dims <n>', '1-D curve or 2-D surface').choices(['1', '2']).argParser(Number).default(2))
    .option('--steps <n>', 'points per axis', positiveInt, 21)
    .option('--range <a:b>', 'coordinates of both axes (a:b or a:b:n)', '-1:1')
    .option('--x <a:b[:n]>', 'coordinates of the first axis (overrides --range)')
    .option('--y <a:b[:n]>', 'coordinates of the second axis (overrides --range)')
    .option(
      '--directions <kind>',
      'random | hessian (top two |λ|) | hessian-minmax | FILE.npz with d1/<param>, d2/<param>',
      'random',
    )
    .addOption(
      new Option('--norm <kind>', 'direction normalization')
        .choices(['filter', 'layer', 'model', 'weight', 'none'])
        .default('filter'),
    )
    .addOption(
      new Option('--one-d <mode>', 'biases and BatchNorm scale/shift')
        .choices(['zero', 'normalize', 'copy'])
        .default('zero'),
    )
    .option('--db <file>', 'record the run and its points in this runs database (resumable)')
    .option('--shard <I/N>', `${SHARD_HELP} (splits the grid points in row-major order)`, shardOption)
    .action((model: string, opts: LandscapeCliOptions) => landscapeCommand(model, opts));

  addDataOptions(
    program
      .command('interpolate')
      .description('loss along the line through two checkpoints')
      .argument('<model>', 'an .onnx file'),
  )
    .requiredOption('--from <ckpt>', 'the checkpoint at α = 0')
    .requiredOption('--to <ckpt>', 'the checkpoint at α = 1')
    .option('--third <ckpt>', 'a third checkpoint: the 2-D plane through all three (y = 1 at it)')
    .option('--steps <n>', 'points', positiveInt, 21)
    .option('--range <a:b>', 'α range', '-0.5:1.5')
    .option('--db <file>', 'record the run and its points in this runs database (resumable)')
    .option('--shard <I/N>', `${SHARD_HELP} (splits the grid points in row-major order)`, shardOption)
    .action((model: string, opts: InterpolateCliOptions) => interpolateCommand(model, opts));

  addDataOptions(
    program
      .command('trajectory')
      .description('PCA of a training trajectory and the loss surface in its plane')
      .argument('<model>', 'an .onnx file'),
  )
    .requiredOption('--checkpoints <list>', 'comma-separated checkpoints in training order (the last is the origin)')
    .option('--steps <n>', 'points per axis', positiveInt, 21)
    .option('--margin <x>', 'extra room around the path, as a fraction of its extent', Number, 0.2)
    .option('--db <file>', 'record the run and its points in this runs database (resumable)')
    .option('--shard <I/N>', `${SHARD_HELP} (splits the grid points in row-major order)`, shardOption)
    .action((model: string, opts: TrajectoryCliOptions) => trajectoryCommand(model, opts));

  addEvaluationOptions(
    program
      .command('series')
      .description(
        'a checkpoint series: loss, accuracy, top eigenvalues, trace and LLA criteria per checkpoint and data set',
      )
      .argument('<model>', 'an .onnx file'),
  )
    .requiredOption('--checkpoints <list>', 'comma-separated checkpoints, in training order')
    .requiredOption(
      '--data <files>',
      'a data set (as for other commands); repeat for more: the first is the reference (training set)',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option('--top-k <n>', 'largest eigenvalues', nonNegativeInt, 5)
    .option('--iterations <n>', 'Lanczos steps (per SLQ run too)', positiveInt, 100)
    .option('--runs <n>', 'SLQ runs (the criteria are their mean ± std)', positiveInt, 3)
    .option('--kh-n <x>', 'exponent n of the Kh criterion', Number, 0.5)
    .option('--db <file>', 'record the members as runs of one series in this database (a rerun resumes it)')
    .option('--shard <I/N>', `${SHARD_HELP} (splits the members, checkpoint-major)`, shardOption)
    .action((model: string, opts: SeriesCliOptions) => seriesCommand(model, opts));

  const runs = program.command('runs').description('runs recorded with --db');
  runs
    .command('list')
    .description('list runs')
    .option('--db <file>', 'runs database', 'saddle.db')
    .option('--json', 'print JSON')
    .action(runsList);
  runs
    .command('show')
    .description('one run with its results')
    .argument('<id>', 'run id (or a unique prefix)')
    .option('--db <file>', 'runs database', 'saddle.db')
    .option('--json', 'print JSON')
    .action(runsShow);
  runs
    .command('resume')
    .description('continue a crashed or cancelled landscape, interpolate or trajectory run from its recorded points')
    .argument('<id>', 'run id (or a unique prefix)')
    .option('--db <file>', 'runs database', 'saddle.db')
    .option('--json', 'print JSON')
    .action(resumeRun);
  runs
    .command('delete')
    .description('delete a run')
    .argument('<id>', 'run id (or a unique prefix)')
    .option('--db <file>', 'runs database', 'saddle.db')
    .option('--json', 'print JSON')
    .action(runsDelete);
  runs
    .command('export')
    .description(
      'export a run: JSON, CSV, ParaView VTP/VTS, Li-compatible HDF5, LLA log line, SVG/PNG figure, HTML report',
    )
    .argument('<id>', 'run id (or a unique prefix)')
    .addOption(new Option('--format <f>', 'output format').choices([...EXPORT_FORMATS]).makeOptionMandatory())
    .option('-o, --output <file>', 'write here (written whole or not at all); text formats default to stdout')
    .addOption(
      new Option('--table <t>', 'CSV: which table (default: the grid, else eigenvalues)').choices([...CSV_TABLES]),
    )
    .addOption(
      new Option('--figure <f>', 'SVG/PNG: which figure (default: the first the run has)').choices([...FIGURES]),
    )
    .option('--log', "VTP/VTS: z = ln(z + 0.1), as Li's h52vtp --log")
    .option('--zmax <z>', 'VTP/VTS: clip z above this, as h52vtp --zmax', Number)
    .addOption(new Option('--surface <s>', 'VTP/VTS: which values').choices(['loss', 'accuracy']).default('loss'))
    .option('--vectors', 'JSON: include the stored eigenvectors')
    .option('--db <file>', 'runs database', 'saddle.db')
    .option('--json', 'print a JSON summary when writing a file')
    .action(runsExport);
  runs
    .command('import')
    .description(
      "import runs: a surface file of Li et al.'s loss-landscape (.h5) as a finished landscape run, or the runs of another Saddle database (merged; the file is not modified)",
    )
    .argument('<file>', 'an .h5 surface file (xcoordinates, [ycoordinates,] train_loss [, train_acc]) or a saddle.db')
    .option('--name <name>', 'display name of the run')
    .option('--db <file>', 'runs database', 'saddle.db')
    .option('--json', 'print JSON')
    .action(runsImport);

  runs
    .command('merge')
    .description(
      'merge the shards of one job (runs recorded with --shard I/N, each in its own database) into one finished run, equal to a single run',
    )
    .argument('<out>', 'the runs database the merged run is written to (created if absent)')
    .argument('<shards...>', "the shards' runs databases (read, never modified)")
    .option('--json', 'print JSON')
    .action(runsMerge);

  addClusterCommands(program, buildProgram);

  program
    .command('serve')
    .description('serve the Saddle UI in a browser (loopback only by default, behind a token)')
    .option('--port <n>', 'TCP port (0 picks a free one)', port, 6060)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--no-token', 'disable the access token (only on a trusted network)')
    .option('--db <file>', 'record analyses in this runs database (shared with the CLI: see saddle runs)', 'saddle.db')
    .option('--max-upload <size>', 'largest file a browser may upload (8G, 500M, bytes)', parseBytes, 8 * 2 ** 30)
    .option(
      '--upload-quota <size>',
      'largest total of uploads kept beside the database; what no run uses is removed first',
      parseBytes,
      32 * 2 ** 30,
    )
    .action(serveCommand);

  program
    .command('demo')
    .description('analyze the bundled demo model headlessly into a runs database and write an HTML report')
    .option('--out <file>', 'where to write the report', 'saddle-demo-report.html')
    .option('--db <file>', 'record the demo runs in this runs database', 'saddle.db')
    .option('--steps <n>', 'points per axis of the 2-D landscape', positiveInt, 21)
    .option('--json', 'print JSON')
    .action(demoCommand);

  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    process.stderr.write(`saddle: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
}

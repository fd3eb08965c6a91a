/**
 * What `saddle slurm` and `saddle k8s` write: the sbatch array script, run here by bash once per
 * task index as Slurm would run it, and the merge script after them, give the unsharded grid; the
 * Kubernetes manifests, read back by PyYAML (an independent reader), are an Indexed Job of N
 * completions whose pods write shard-$JOB_COMPLETION_INDEX.db and a Job that merges them; the inner
 * command is checked by the real parser before anything is written.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseInner, shellQuote, writeK8s, writeSlurm } from '../src/cli/cluster';
import { buildProgram } from '../src/cli/main';
import { RunStore } from '../src/store/store';
import { fixture, ROOT, requireSystemPath } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'saddle cluster-'));
const model = fixture('engine', 'mlp_tanh.onnx');
const data = fixture('engine', 'mlp_tanh-data.npz');
const land = ['landscape', model, '--data', data, '--steps', '4', '--threads', '1', '--backend', 'cpu'];
const saddleCmd = [process.execPath, join(ROOT, 'bin', 'saddle.mjs')];
const hasYaml = requireSystemPath('/usr/lib/python3/dist-packages/yaml', 'python3-yaml');

function grid(path: string) {
  const store = new RunStore(path);
  try {
    const [run] = store.listRuns();
    return { run, grid: store.getGrid(run.id) };
  } finally {
    store.close();
  }
}

describe('the inner command', () => {
  it('is parsed by the command itself; what cannot split, or lacks --db, is refused', () => {
    const inner = parseInner(buildProgram(), [...land, '--db', 'out.db']);
    expect(inner).toMatchObject({ name: 'landscape', opts: { steps: 4, db: 'out.db' } });
    const refuse = (args: string[], message: RegExp) => expect(() => parseInner(buildProgram(), args)).toThrow(message);
    refuse(land, /Give the landscape command --db: the database the merged run is written to/);
    refuse([...land, '--db', 'o.db', '--shard', '0/2'], /Leave --shard out/);
    refuse(['loss', model, '--data', data, '--db', 'o.db'], /'loss' does not split into shards/);
    refuse(['hessian', model, '--data', data, '--db', 'o.db'], /splits --trace probes and --density runs/);
    refuse([...land, '--db', 'o.db', '--stpes', '3'], /The landscape command does not parse: unknown option '--stpes'/);
  });

  it('quotes words for the shell', () => {
    expect(shellQuote('a/b-c.onnx')).toBe('a/b-c.onnx');
    expect(shellQuote("it's here")).toBe(`'it'\\''s here'`);
  });
});

describe('saddle slurm scripts', () => {
  it('run as Slurm runs them (one bash per task index, then the merge) give the unsharded grid', () => {
    const out = join(dir, 'merged.db');
    const inner = parseInner(buildProgram(), [...land, '--db', out]);
    const files = writeSlurm(
      inner,
      { shards: 3, dir: join(dir, 'jobs'), partition: 'gpu', sbatch: ['--account=abc'] },
      dir,
      saddleCmd,
    );
    const array = readFileSync(files.array, 'utf8');
    expect(array).toContain('#SBATCH --array=0-2\n');
    expect(array).toContain('#SBATCH --partition=gpu\n');
    expect(array).toContain('#SBATCH --account=abc\n');
    expect(array).toMatch(/--shard auto\/3 --db '.*\/jobs\/shard-'"\$SLURM_ARRAY_TASK_ID"\.db\n/);
    expect(array).not.toContain(out);
    expect(readFileSync(files.submit, 'utf8')).toMatch(/--dependency=afterok:"\$array"/);
    for (let i = 0; i < 3; i++) {
      const r = spawnSync('bash', [files.array], {
        env: { ...process.env, SLURM_ARRAY_TASK_ID: String(i) },
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
    }
    const m = spawnSync('bash', [files.merge], { encoding: 'utf8' });
    expect(m.status, m.stderr).toBe(0);
    expect(m.stdout).toMatch(/merged 3 shard\(s\) of landscape job [0-9a-f]{8} into run/);

    const single = join(dir, 'single.db');
    const r = spawnSync(saddleCmd[0], [saddleCmd[1], ...land, '--db', single], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect([...(grid(out).grid?.loss ?? [])]).toEqual([...(grid(single).grid?.loss ?? [])]);
    expect(grid(out).grid?.complete).toBe(true);
    // Writing another job into a folder that holds these shards would mix the two.
    expect(() => writeSlurm(inner, { shards: 3, dir: join(dir, 'jobs') }, dir, saddleCmd)).toThrow(
      /jobs already holds shard databases \(shard-0\.db, shard-1\.db, shard-2\.db\) of an earlier job; give another --dir/,
    );
  }, 120_000);
});

describe.runIf(hasYaml)('saddle k8s manifests', () => {
  it('are an Indexed Job of N pods, each writing its shard, and a Job that merges them', () => {
    const inner = parseInner(buildProgram(), [
      'hessian',
      'model.onnx',
      '--data',
      'd.npz',
      '--trace',
      '--db',
      'out/merged.db',
    ]);
    const files = writeK8s(
      inner,
      {
        shards: 4,
        dir: join(dir, 'k8s'),
        image: 'ghcr.io/x/saddle:1',
        pvc: 'work',
        mount: '/work',
        cpu: '8',
        saddle: 'saddle',
      },
      dir,
    );
    const read = (f: string) => {
      const r = spawnSync(
        '/usr/bin/python3',
        ['-c', 'import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))', f],
        {
          encoding: 'utf8',
        },
      );
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout);
    };
    const job = read(files.job);
    expect(job).toMatchObject({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'saddle-hessian' },
      spec: { completionMode: 'Indexed', completions: 4, parallelism: 4 },
    });
    const pod = job.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.volumes).toEqual([{ name: 'work', persistentVolumeClaim: { claimName: 'work' } }]);
    const c = pod.containers[0];
    expect(c).toMatchObject({
      image: 'ghcr.io/x/saddle:1',
      workingDir: '/work',
      resources: { requests: { cpu: '8' } },
    });
    expect(c.command.slice(0, 2)).toEqual(['sh', '-c']);
    expect(c.command[2]).toBe(
      `mkdir -p /work/out/saddle-hessian-shards && exec saddle hessian model.onnx --data d.npz --trace --shard auto/4 --db /work/out/saddle-hessian-shards/shard-"$JOB_COMPLETION_INDEX".db --threads 8`,
    );
    const merge = read(files.merge);
    expect(merge.spec.template.spec.containers[0].command[2]).toBe(
      `exec saddle runs merge /work/out/merged.db ${[0, 1, 2, 3].map((i) => `/work/out/saddle-hessian-shards/shard-${i}.db`).join(' ')}`,
    );
    expect(readFileSync(files.submit, 'utf8')).toContain(
      'kubectl wait --for=condition=complete --timeout=-1s job/saddle-hessian',
    );
    expect(existsSync(files.submit)).toBe(true);
  });
});

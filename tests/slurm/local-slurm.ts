/**
 * A real single-node Slurm for tests: munged, slurmctld and slurmd (Debian's munge and slurm-wlm)
 * started in the foreground from a temporary folder with their own key, sockets, ports, spool and
 * logs, so they touch nothing of the machine's own Slurm. `stop()` ends exactly the three processes
 * started here and removes the folder. When a daemon does not come up, the error says which and
 * quotes its log.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const SLURM_BINARIES = ['/usr/sbin/munged', '/usr/sbin/slurmctld', '/usr/sbin/slurmd', '/usr/bin/sbatch'];

export interface LocalSlurm {
  dir: string;
  /** The environment for sbatch, squeue, scontrol: SLURM_CONF pointing at this cluster. */
  env: NodeJS.ProcessEnv;
  /** Run a Slurm client command here; its stdout. */
  client(cmd: string, args: string[]): string;
  /** The state of a job (COMPLETED, FAILED, PENDING, ...), or null once Slurm forgot it. */
  jobState(id: string): string | null;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tail(path: string, lines = 15): string {
  if (!existsSync(path)) return `(no ${path})`;
  return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

export async function startLocalSlurm(): Promise<LocalSlurm> {
  for (const bin of SLURM_BINARIES)
    if (!existsSync(bin)) throw new Error(`Slurm cannot start: ${bin} is missing (apt-get install slurm-wlm munge).`);
  const dir = mkdtempSync(join(tmpdir(), 'saddle-slurm-'));
  // munged refuses a socket folder others cannot traverse.
  chmodSync(dir, 0o755);
  for (const d of ['state', 'spool']) mkdirSync(join(dir, d));
  const key = join(dir, 'munge.key');
  writeFileSync(key, randomBytes(1024), { mode: 0o400 });
  const socket = join(dir, 'munge.sock');
  const user = userInfo().username;
  const host = hostname().split('.')[0];
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
  const conf = join(dir, 'slurm.conf');
  writeFileSync(join(dir, 'plugstack.conf'), '');
  writeFileSync(
    conf,
    [
      'ClusterName=saddletest',
      `SlurmctldHost=${host}(127.0.0.1)`,
      `SlurmUser=${user}`,
      `SlurmdUser=${user}`,
      'AuthType=auth/munge',
      `AuthInfo=socket=${socket}`,
      'CredType=cred/munge',
      `StateSaveLocation=${dir}/state`,
      `SlurmdSpoolDir=${dir}/spool`,
      `SlurmctldPidFile=${dir}/slurmctld.pid`,
      `SlurmdPidFile=${dir}/slurmd.pid`,
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${slurmdPort}`,
      // No cgroups, accounting or MPI: nothing a container or a CI machine may lack.
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      'JobCompType=jobcomp/none',
      'MpiDefault=none',
      'SchedulerType=sched/backfill',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_CPU',
      'ReturnToService=2',
      'MinJobAge=3600',
      `PlugStackConfig=${dir}/plugstack.conf`,
      `SlurmctldLogFile=${dir}/slurmctld.log`,
      `SlurmdLogFile=${dir}/slurmd.log`,
      `NodeName=${host} NodeAddr=127.0.0.1 CPUs=${availableParallelism()} RealMemory=1000 State=UNKNOWN`,
      `PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE`,
      '',
    ].join('\n'),
  );
  const env = { ...process.env, SLURM_CONF: conf };
  const started: ChildProcess[] = [];
  const daemon = (bin: string, args: string[], log: string) => {
    const child = spawn(bin, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr?.on('data', (b: Buffer) => {
      err += b.toString();
    });
    child.on('exit', () => writeFileSync(join(dir, `${log}.stderr`), err));
    started.push(child);
    return child;
  };
  /** End the daemons started here (slurmd, slurmctld, then munged), wait for them, remove the folder. */
  const stop = async () => {
    for (const c of [...started].reverse()) {
      if (c.exitCode !== null || c.signalCode !== null) continue;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  };
  const client = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim()}`);
    return r.stdout;
  };
  const fail = (what: string, log: string) =>
    new Error(
      `Slurm cannot start: ${what}.\n${tail(join(dir, log))}\n${tail(join(dir, `${log.replace('.log', '')}.stderr`))}`,
    );
  try {
    daemon(
      '/usr/sbin/munged',
      [
        '-F',
        '-f',
        `--socket=${socket}`,
        `--key-file=${key}`,
        `--log-file=${dir}/munged.log`,
        `--pid-file=${dir}/munged.pid`,
        `--seed-file=${dir}/munged.seed`,
      ],
      'munged',
    );
    for (let t = 0; !existsSync(socket); t++) {
      if (t > 50) throw fail('munged made no socket in 10 s', 'munged.log');
      await sleep(200);
    }
    daemon('/usr/sbin/slurmctld', ['-D', '-f', conf], 'slurmctld');
    daemon('/usr/sbin/slurmd', ['-D', '-f', conf, '-N', host], 'slurmd');
    for (let t = 0; ; t++) {
      const r = spawnSync('sinfo', ['-h', '-o', '%T'], { env, encoding: 'utf8' });
      if (r.status === 0 && /idle|mixed|allocated/.test(r.stdout)) break;
      if (started.some((c) => c.exitCode !== null)) {
        const dead = ['munged', 'slurmctld', 'slurmd'][started.findIndex((c) => c.exitCode !== null)];
        throw fail(`${dead} exited`, `${dead}.log`);
      }
      if (t > 100)
        throw fail(`the node is not idle after 30 s (sinfo: ${(r.stdout || r.stderr).trim()})`, 'slurmd.log');
      await sleep(300);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    dir,
    env,
    client,
    jobState(id) {
      const r = spawnSync('scontrol', ['show', 'job', '-o', id], { env, encoding: 'utf8' });
      return /JobState=(\S+)/.exec(r.stdout)?.[1] ?? null;
    },
    stop,
  };
}

/**
 * One queue of long jobs per engine process: jobs run one at a time, in order (two analyses at once
 * would only share the same cores). A job can be cancelled while it waits, and then never starts,
 * or while it runs, through its AbortSignal.
 */
import { CancelledError } from '../analysis/lanczos';

export interface QueuedJob {
  job: string;
  state: 'pending' | 'running';
}

export class JobQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly jobs = new Map<string, { controller: AbortController; state: QueuedJob['state'] }>();

  /** Runs `fn` after every job submitted before it; rejects with CancelledError if cancelled first. */
  submit<T>(job: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.jobs.has(job)) return Promise.reject(new Error(`Job '${job}' is already queued or running.`));
    const entry = { controller: new AbortController(), state: 'pending' as QueuedJob['state'] };
    this.jobs.set(job, entry);
    const run = this.tail.then(async () => {
      try {
        if (entry.controller.signal.aborted) throw new CancelledError();
        entry.state = 'running';
        return await fn(entry.controller.signal);
      } finally {
        this.jobs.delete(job);
      }
    });
    // The next job waits for this one to settle, whatever its outcome.
    this.tail = run.catch(() => {});
    return run;
  }

  cancel(job: string): boolean {
    const entry = this.jobs.get(job);
    entry?.controller.abort();
    return entry !== undefined;
  }

  list(): QueuedJob[] {
    return [...this.jobs].map(([job, e]) => ({ job, state: e.state }));
  }
}

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

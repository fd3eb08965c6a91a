/** `saddle serve`: the UI in a browser, served by this process. */
import { resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { startServer } from '../server/serve';

const UNITS: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** A size such as `8G`, `500M`, `2.5GiB` or `1048576` (bytes; K, M, G, T are powers of 1024). */
export function parseBytes(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(value);
  const bytes = m ? Math.floor(Number(m[1]) * UNITS[m[2].toLowerCase()]) : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1)
    throw new InvalidArgumentError(`'${value}' is not a size (write it as 8G, 500M or a number of bytes).`);
  return bytes;
}

export async function serveCommand(opts: {
  port: number;
  host: string;
  token: boolean;
  db: string;
  maxUpload: number;
  uploadQuota: number;
}): Promise<void> {
  const server = await startServer({
    port: opts.port,
    host: opts.host,
    requireToken: opts.token,
    db: opts.db,
    maxUploadBytes: opts.maxUpload,
    uploadQuotaBytes: opts.uploadQuota,
  });
  process.stdout.write(
    `Saddle is serving at ${server.url}\nruns are recorded in ${resolve(opts.db)}\nuploads are kept in ${server.uploadDir}\n`,
  );
  if (!['127.0.0.1', 'localhost', '::1'].includes(opts.host)) {
    process.stderr.write(`warning: listening on ${opts.host}; anyone who can reach it and has the token can use it.\n`);
  }
  const stop = () => server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

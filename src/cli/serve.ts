/** `saddle serve`: the UI in a browser, served by this process. */
import { resolve } from 'node:path';
import { startServer } from '../server/serve';

export async function serveCommand(opts: { port: number; host: string; token: boolean; db: string }): Promise<void> {
  const server = await startServer({ port: opts.port, host: opts.host, requireToken: opts.token, db: opts.db });
  process.stdout.write(`Saddle is serving at ${server.url}\nruns are recorded in ${resolve(opts.db)}\n`);
  if (!['127.0.0.1', 'localhost', '::1'].includes(opts.host)) {
    process.stderr.write(`warning: listening on ${opts.host}; anyone who can reach it and has the token can use it.\n`);
  }
  const stop = () => server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

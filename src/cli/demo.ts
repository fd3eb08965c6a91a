/** `saddle demo`: the bundled demo model, headless. Later analyses extend it into a full report. */
import { demoPaths } from '../resources';
import { infoCommand } from './info';

export async function demoCommand(opts: { json?: boolean }): Promise<void> {
  await infoCommand(demoPaths().model, opts);
}

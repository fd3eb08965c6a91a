/**
 * What a run was computed from, by content: the model (with its graph summary), the checkpoint and
 * the data set are hashed (sha256) and recorded once, so runs on renamed or moved files still match.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { openModelFile } from '../model/open';
import type { RunStore } from '../store/store';

/** sha256 over the files, in order, and their total size. */
export async function digest(paths: string[]): Promise<{ id: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for (const path of paths) {
    bytes += (await stat(path)).size;
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  }
  return { id: hash.digest('hex'), bytes };
}

export interface RunInputs {
  modelPath?: string;
  dataPath?: string;
  weightsPath?: string;
}

export interface RegisteredInputs {
  modelId?: string;
  datasetId?: string;
  checkpointId?: string;
}

export async function registerInputs(store: RunStore, inputs: RunInputs): Promise<RegisteredInputs> {
  const out: RegisteredInputs = {};
  if (inputs.modelPath) {
    const { id } = await digest([inputs.modelPath]);
    out.modelId = store.registerModel(id, inputs.modelPath, await openModelFile(inputs.modelPath));
  }
  if (inputs.dataPath) {
    const files = inputs.dataPath
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    const { id, bytes } = await digest(files);
    out.datasetId = store.registerFile('datasets', id, inputs.dataPath, bytes);
  }
  if (inputs.weightsPath) {
    const { id, bytes } = await digest([inputs.weightsPath]);
    out.checkpointId = store.registerFile('checkpoints', id, inputs.weightsPath, bytes);
  }
  return out;
}

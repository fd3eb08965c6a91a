/** `saddle info MODEL [--json]` */
import type { ModelInfo } from '../api/contract';
import { openCheckpoint } from '../formats/checkpoint';
import { openModelFile } from '../model/open';
import { count, shapeText, table } from './format';

export async function infoCommand(path: string, opts: { json?: boolean }): Promise<void> {
  if (!/\.onnx$/i.test(path) && isCheckpointLike(path)) {
    const view = describeCheckpointFile(path);
    process.stdout.write(opts.json ? `${JSON.stringify(view)}\n` : `${checkpointText(view)}\n`);
    return;
  }
  const info = await openModelFile(path);
  process.stdout.write(opts.json ? `${JSON.stringify(jsonView(info))}\n` : `${describeModel(info)}\n`);
}

function isCheckpointLike(path: string): boolean {
  return /\.(pt|pth|bin|ckpt|tar|safetensors|npz)$/i.test(path);
}

/** What `saddle info` prints for a checkpoint: every tensor with dtype and shape, and what was found. */
export function describeCheckpointFile(path: string) {
  const ckpt = openCheckpoint(path);
  try {
    return {
      format: ckpt.format,
      tensors: [...ckpt.tensors.entries()].map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape })),
      stateDict: ckpt.stateDictPath || null,
      stateDictTensors: ckpt.stateDict.size,
      optimizerState: ckpt.optimizer ? ckpt.optimizer.size : 0,
      info: ckpt.info,
    };
  } finally {
    ckpt.close();
  }
}

function checkpointText(v: ReturnType<typeof describeCheckpointFile>): string {
  const rows = v.tensors.map((t) => [t.name, t.dtype, shapeText(t.shape)]);
  const extra = Object.entries(v.info).map(([k, x]) => `${k} = ${x}`);
  return [
    `${v.format} checkpoint: ${v.tensors.length} tensors${v.stateDict ? `, state_dict under '${v.stateDict}' (${v.stateDictTensors})` : ''}${v.optimizerState ? `, Adam state for ${v.optimizerState} parameters` : ''}`,
    '',
    table(['tensor', 'dtype', 'shape'], rows),
    ...(extra.length ? ['', ...extra] : []),
  ].join('\n');
}

/** The documented JSON shape, in its documented key order. */
export function jsonView(info: ModelInfo) {
  return {
    format: info.format,
    irVersion: info.irVersion,
    opset: info.opset,
    inputs: info.inputs,
    outputs: info.outputs,
    ops: info.ops,
    params: info.params,
    nParams: info.nParams,
    aliases: info.aliases,
    producer: info.producer,
    notes: info.notes,
  };
}

export function describeModel(info: ModelInfo): string {
  const parts = [
    `${info.file}`,
    `ONNX IR ${info.irVersion}, opset ${info.opset}${info.producer ? `, from ${info.producer}` : ''}`,
    '',
    table(
      ['input', 'dtype', 'shape'],
      info.inputs.map((v) => [v.name, v.dtype ?? '', shapeText(v.shape)]),
    ),
    '',
    table(
      ['output', 'shape'],
      info.outputs.map((v) => [v.name, shapeText(v.shape)]),
    ),
    '',
    table(
      ['op', 'count'],
      Object.entries(info.ops).map(([op, n]) => [op, String(n)]),
      [false, true],
    ),
    '',
    table(
      ['parameter', 'shape', 'size'],
      info.params.map((p) => [p.name, shapeText(p.shape), count(p.size)]),
      [false, false, true],
    ),
    '',
    `${count(info.nParams)} trainable parameters in ${info.params.length} tensors`,
  ];
  if (info.aliases.length)
    parts.push(
      `aliases: ${info.aliases.map((a) => `${a.name} = ${a.transposed ? `transpose(${a.of})` : a.of}`).join(', ')}`,
    );
  for (const note of info.notes) parts.push('', `note: ${note}`);
  return parts.join('\n');
}

/** `saddle info MODEL [--json]` */
import type { ModelInfo } from '../api/contract';
import { openModelFile } from '../model/open';
import { count, shapeText, table } from './format';

export async function infoCommand(path: string, opts: { json?: boolean }): Promise<void> {
  const info = await openModelFile(path);
  process.stdout.write(opts.json ? `${JSON.stringify(jsonView(info))}\n` : `${describeModel(info)}\n`);
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
      ['input', 'shape'],
      info.inputs.map((v) => [v.name, shapeText(v.shape)]),
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
  if (info.aliases.length) parts.push(`aliases: ${info.aliases.map((a) => `${a.name} = ${a.of}`).join(', ')}`);
  for (const note of info.notes) parts.push('', `note: ${note}`);
  return parts.join('\n');
}

/** What `saddle info` and the model card show about an ONNX model. */
import type { ModelInfo } from '../api/contract';
import { dataTypeName, type OnnxModel } from '../formats/onnx/read';
import { detectExportIssues } from './export-checks';
import { findParameters } from './params';

export function summarizeOnnx(model: OnnxModel): ModelInfo {
  const g = model.graph;
  const initializerNames = new Set(g.initializers.keys());
  const ops: Record<string, number> = {};
  for (const node of g.nodes) {
    const key = node.domain && node.domain !== 'ai.onnx' ? `${node.domain}.${node.opType}` : node.opType;
    ops[key] = (ops[key] ?? 0) + 1;
  }
  const sortedOps = Object.fromEntries(Object.entries(ops).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
  const { params, aliases, buffers } = findParameters(g, model.file);
  return {
    format: 'onnx',
    file: model.file,
    irVersion: model.irVersion,
    opset: model.opsets.get('') ?? model.opsets.get('ai.onnx') ?? 0,
    producer: model.producer,
    inputs: g.inputs
      .filter((v) => !initializerNames.has(v.name))
      .map((v) => ({ name: v.name, shape: v.shape, dtype: dataTypeName[v.elemType] ?? `type ${v.elemType}` })),
    outputs: g.outputs.map((v) => ({ name: v.name, shape: v.shape })),
    ops: sortedOps,
    params,
    nParams: params.reduce((a, p) => a + p.size, 0),
    aliases,
    buffers,
    notes: detectExportIssues(model, params, aliases),
  };
}

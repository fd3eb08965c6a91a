/**
 * Plain-words notes about what PyTorch's ONNX exporter did to a network
 * (see shared/docs/pytorch-export.md): folded BatchNorm and merged equal tensors.
 */
import type { OnnxModel } from '../formats/onnx/read';
import { unsupportedOps } from '../onnx-import/import';
import type { AliasInfo, ParamInfo } from './params';

const GOOD_EXPORT =
  'torch.onnx.export(model.eval(), x, "model.onnx", do_constant_folding=False, training=torch.onnx.TrainingMode.PRESERVE)';

export function detectExportIssues(model: OnnxModel, params: ParamInfo[], aliases: AliasInfo[]): string[] {
  const notes: string[] = [];
  const ops = new Set(model.graph.nodes.map((n) => n.opType));
  const fromPytorch = model.producer.toLowerCase().includes('pytorch');
  if (fromPytorch && ops.has('Conv') && !ops.has('BatchNormalization')) {
    notes.push(
      'The graph has convolutions but no BatchNormalization node. If the network had BatchNorm, the exporter ' +
        `folded it into the convolution weights and a BatchNorm-aware analysis is impossible; re-export with ${GOOD_EXPORT}.`,
    );
  }
  const ties = aliases.filter((a) => a.transposed);
  if (ties.length > 0) {
    notes.push(
      `Tied weights: ${ties.map((a) => `${a.name} is the transpose of ${a.of}`).join(', ')} (the exporter folded the tie into a copy); each pair is analyzed as one parameter.`,
    );
  }
  const merged = aliases.filter((a) => !a.transposed);
  if (merged.length > 0) {
    const shown = merged
      .slice(0, 3)
      .map((a) => `${a.name} = ${a.of}`)
      .join(', ');
    notes.push(
      `${merged.length} tensor(s) were merged by the exporter because their values were equal (${shown}${merged.length > 3 ? ', ...' : ''}); ` +
        'a perturbation of one moves the others. Load the state_dict with --weights to give each its own tensor.',
    );
  }
  const unsupported = unsupportedOps(model);
  if (unsupported.length) {
    const list = [...new Set(unsupported)].slice(0, 5).join(', ');
    notes.push(
      `Saddle cannot analyze this model yet: unsupported operator${unsupported.length > 1 ? 's' : ''} ${list}${unsupported.length > 5 ? ', ...' : ''}.`,
    );
  }
  const noParams = params.length === 0 && model.graph.initializers.size === 0;
  if (noParams && model.graph.nodes.length > 0) {
    notes.push('The graph holds no initializers: it was exported without its weights (export_params=False).');
  }
  return notes;
}

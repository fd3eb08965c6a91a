/**
 * What an analysis request says about its inputs, for the service: the loss options it evaluates
 * with (recorded with the run), and whether its data set fits the model, checked before a job is
 * queued so a wrong file is one sentence at once.
 */
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { dataFit } from '../data/check';
import { loadDataset } from '../data/load';
import type { LossOptions } from '../evaluator/open';
import type { DataCheck, OpenedModel, Request } from './contract';

export type AnalysisRequest =
  | Request<'hessian'>
  | Request<'landscape'>
  | Request<'interpolate'>
  | Request<'trajectory'>;

export function lossOptionsOf(request: AnalysisRequest, seed: number): LossOptions {
  const { data, weights, batchSize, samples, inputs, scale, mean, std, nhwc, inputsKey, targetsKey } = request;
  const given = { inputs, scale, mean, std, nhwc, inputsKey, targetsKey };
  return {
    data,
    weights,
    loss: request.loss ?? 'auto',
    batchSize,
    samples,
    seed,
    bn: request.bn ?? 'eval',
    threads: availableParallelism(),
    backend: request.backend ?? 'auto',
    // Unset preprocessing stays out of the recorded options.
    ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)),
  };
}

/** The data set read as the analysis would read it, and its samples' shape against the model's input. */
export async function checkDataFor(opened: OpenedModel, request: Request<'checkData'>): Promise<DataCheck> {
  const { modelId: _, data, ...preprocessing } = request;
  const dataset = await loadDataset(data, preprocessing);
  return dataFit(dataset, basename(data), opened.info.inputs[0]);
}

/** Refuse a data set whose samples do not fit the model's input. */
export async function requireFit(opened: OpenedModel, request: AnalysisRequest): Promise<void> {
  // Several graph inputs (or named input arrays) are checked by the engine's own feed checks when
  // the run opens: one sample shape cannot describe them.
  if (request.inputs || opened.info.inputs.length > 1) return;
  const { modelId, data, scale, mean, std, nhwc, inputsKey, targetsKey } = request;
  const fit = await checkDataFor(opened, { modelId, data, scale, mean, std, nhwc, inputsKey, targetsKey });
  if (fit.problem) throw new Error(fit.problem);
}

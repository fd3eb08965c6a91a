/** `saddle info --gpu [--json]`: the WebGPU adapter Saddle finds, its limits and features, and what `auto` picks. */
import { selectBackendWithNotice } from '../engine/backends';
import { openGpu } from '../engine/webgpu/gpu';
import { table } from './format';

export async function gpuInfoCommand(opts: { json?: boolean }): Promise<void> {
  const auto = await selectBackendWithNotice('auto');
  let view: Record<string, unknown>;
  try {
    const gpu = await openGpu({ allowSoftware: true });
    view = {
      adapter: gpu.adapterName,
      api: gpu.api,
      software: gpu.software,
      limits: gpu.limits,
      features: gpu.features,
      auto: auto.backend.description,
      autoNotice: auto.notice,
    };
    gpu.device.destroy();
  } catch (e) {
    view = { adapter: null, error: e instanceof Error ? e.message : String(e), auto: auto.backend.description };
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(view)}\n`);
    return;
  }
  const lines: string[] = [];
  if (view.adapter) {
    lines.push(`adapter  ${view.adapter}${view.software ? ' (software: used only with --backend webgpu)' : ''}`);
    lines.push(
      '',
      table(
        ['limit', 'value'],
        Object.entries(view.limits as object).map(([k, v]) => [k, String(v)]),
        [false, true],
      ),
    );
    lines.push('', `features ${(view.features as string[]).join(', ') || 'none'}`);
  } else lines.push(`adapter  none (${view.error})`);
  lines.push('', `--backend auto runs on: ${view.auto}${auto.notice ? ` (${auto.notice})` : ''}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * The whole job's stages and remaining time, from one progress event: the current stage's own ETA
 * gives the seconds per unit of work (one H·v), and the stages still to come are priced at that
 * rate by the H·v products their options ask for. Pure, so it is tested without a browser.
 */
export interface StagePlan {
  name: string;
  /** Units of work (H·v products) the stage will take at most. */
  work: number;
}

export interface HessianPlanOptions {
  topK: number;
  bottomK: number;
  iterations: number;
  trace: boolean;
  traceProbes: number;
  density: boolean;
  runs: number;
  perLayer: boolean;
}

/** Per-layer work: every tensor and module is a block; each takes about 20 Lanczos steps and 30 probes. */
const PER_LAYER_HVPS_PER_BLOCK = 50;

export function hessianPlan(o: HessianPlanOptions, tensors: number): StagePlan[] {
  const plan: StagePlan[] = [];
  if (o.topK > 0 || o.bottomK > 0) plan.push({ name: 'eigenvalues', work: o.iterations });
  if (o.trace) plan.push({ name: 'trace', work: o.traceProbes });
  if (o.density) plan.push({ name: 'density', work: o.runs * o.iterations });
  if (o.perLayer) plan.push({ name: 'per-layer', work: Math.ceil(tensors * 1.5) * PER_LAYER_HVPS_PER_BLOCK });
  return plan;
}

export interface JobEta {
  /** 1-based index of the running stage, and how many there are. */
  stage: number;
  stages: number;
  /** Seconds left for the whole job, or null before the rate is known. */
  seconds: number | null;
}

export function jobEta(
  plan: StagePlan[],
  event: { stage: string; done: number; total: number; etaSeconds?: number | null },
): JobEta {
  const k = plan.findIndex((s) => s.name === event.stage);
  if (k < 0) return { stage: 1, stages: Math.max(1, plan.length), seconds: event.etaSeconds ?? null };
  const left = event.total - event.done;
  const eta = event.etaSeconds ?? null;
  if (eta === null) return { stage: k + 1, stages: plan.length, seconds: null };
  // Per-layer progress counts blocks, not H·v products: its rate is per block.
  const perUnit = left > 0 ? eta / left : null;
  const perHvp = event.stage === 'per-layer' || perUnit === null ? null : perUnit;
  const later = plan.slice(k + 1).reduce((sum, s) => sum + s.work, 0);
  return { stage: k + 1, stages: plan.length, seconds: eta + (perHvp === null ? 0 : later * perHvp) };
}

/** "about 2 min 5 s", "about 40 s". */
export function formatSeconds(s: number): string {
  const t = Math.ceil(s);
  if (t < 60) return `${t} s`;
  const m = Math.floor(t / 60);
  return m < 60 ? `${m} min ${t % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

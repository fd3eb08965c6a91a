/**
 * What the runs table shows, computed without the DOM: names that tell runs apart, a stable colour
 * per run, the key options of each kind, the time a run computed, and sorting, filtering and search.
 * The table (runs.ts) only draws this.
 */
import type { RunSummary } from '../../../src/api/contract';

/** The last path component (the engine's paths may be POSIX or Windows). */
export const baseName = (path: string | null | undefined): string => (path ? (path.split(/[\\/]/).pop() ?? path) : '');

/** The data set's file names (a --data spec may list several files). */
export const dataName = (spec: string | null | undefined): string =>
  spec
    ? spec
        .split(',')
        .map((p) => baseName(p.trim()))
        .join(',')
    : '';

/** Options worth a column, per kind, in the order shown; the rest are in the run's detail. */
const KEY_OPTIONS: Record<string, string[]> = {
  hessian: ['topK', 'bottomK', 'iterations', 'trace', 'density', 'runs', 'seed'],
  landscape: ['dims', 'steps', 'range', 'directions', 'norm', 'seed'],
  interpolate: ['steps', 'range', 'third'],
  trajectory: ['steps', 'margin'],
  loss: ['batchSize'],
};

export function keyOptions(r: RunSummary): string {
  const o = r.options ?? {};
  return (KEY_OPTIONS[r.kind] ?? [])
    .filter((k) => o[k] !== undefined && o[k] !== null && o[k] !== false)
    .map((k) => (o[k] === true ? k : `${k}=${k === 'third' ? baseName(String(o[k])) : String(o[k])}`))
    .join(' ');
}

/**
 * Names that tell runs apart: the recorded name, then, only among runs that would share one, what
 * differs between them (weights, data set, samples, key options), and the short id as a last resort.
 */
export function displayNames(runs: RunSummary[]): Map<string, string> {
  const parts: Array<(r: RunSummary, group: RunSummary[]) => string> = [
    (r) => (r.weights ? `@ ${baseName(r.weights)}` : ''),
    (r) => (r.data ? `on ${dataName(r.data)}` : ''),
    (r) => (r.samples ? `${r.samples} samples` : ''),
    // Only the options that differ within the group: `steps=41`, not every option the run has.
    (r, group) => {
      const differing = optionWords(r).filter((w) => !group.every((g) => optionWords(g).includes(w)));
      return differing.join(' ');
    },
  ];
  const names = new Map(runs.map((r) => [r.id, r.name]));
  for (const part of parts) {
    for (const group of groupsSharing(runs, names)) {
      const values = group.map((r) => part(r, group));
      if (new Set(values).size === 1) continue;
      group.forEach((r, k) => {
        const name = names.get(r.id) as string;
        if (values[k] && !name.includes(values[k])) names.set(r.id, `${name} ${values[k]}`);
      });
    }
  }
  for (const group of groupsSharing(runs, names))
    for (const r of group) names.set(r.id, `${names.get(r.id)} #${r.id.slice(0, 6)}`);
  return names;
}

const optionWords = (r: RunSummary) => keyOptions(r).split(' ').filter(Boolean);

function groupsSharing(runs: RunSummary[], names: Map<string, string>): RunSummary[][] {
  const by = new Map<string, RunSummary[]>();
  for (const r of runs) {
    const n = names.get(r.id) as string;
    by.set(n, [...(by.get(n) ?? []), r]);
  }
  return [...by.values()].filter((g) => g.length > 1);
}

/** A colour that is the run's wherever it appears: from its id, not its place in a list. */
export function runColour(id: string): string {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  const hue = (h >>> 0) % 360;
  const light = 38 + ((h >>> 9) % 3) * 8;
  return `hsl(${hue} 65% ${light}%)`;
}

/**
 * The seconds a run computed: from its start to its end once it ended; while running, so far. Never
 * the time since it was created (a job waiting in the queue is not computing).
 */
export function computedSeconds(r: RunSummary, now: number): number | null {
  if (r.seconds !== null) return r.seconds;
  if (r.state === 'running' && r.startedAt) return Math.max(0, (now - Date.parse(r.startedAt)) / 1000);
  return null;
}

export function formatSeconds(s: number | null): string {
  if (s === null) return '';
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

export const COLUMNS = [
  'name',
  'model',
  'weights',
  'data',
  'samples',
  'options',
  'backend',
  'state',
  'created',
  'duration',
] as const;
export type Column = (typeof COLUMNS)[number];

export interface TableQuery {
  sort: Column;
  descending: boolean;
  /** Words that must all appear somewhere in the run: name, files, options, id, state, backend. */
  search: string;
  state: string;
  kind: string;
}

export const defaultQuery: TableQuery = { sort: 'created', descending: true, search: '', state: '', kind: '' };

/** The value a column sorts by. */
function sortKey(r: RunSummary, c: Column, names: Map<string, string>, now: number): string | number {
  switch (c) {
    case 'name':
      return names.get(r.id) ?? r.name;
    case 'model':
      return baseName(r.model);
    case 'weights':
      return baseName(r.weights);
    case 'data':
      return dataName(r.data);
    case 'samples':
      return r.samples ?? -1;
    case 'options':
      return keyOptions(r);
    case 'backend':
      return r.backend ?? '';
    case 'state':
      return r.state;
    case 'created':
      return r.createdAt;
    case 'duration':
      return computedSeconds(r, now) ?? -1;
  }
}

function haystack(r: RunSummary, name: string): string {
  return [name, r.name, r.kind, r.state, r.id, r.model, r.weights, r.data, r.backend, keyOptions(r), r.error]
    .filter(Boolean)
    .join(' ')
    .toLowerCase();
}

/** The runs to show, in order. Ties keep the newest first, so the order never flickers. */
export function queryRuns(runs: RunSummary[], q: TableQuery, names: Map<string, string>, now: number): RunSummary[] {
  const words = q.search.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = runs.filter(
    (r) =>
      (!q.state || r.state === q.state) &&
      (!q.kind || r.kind === q.kind) &&
      words.every((w) => haystack(r, names.get(r.id) ?? r.name).includes(w)),
  );
  const sign = q.descending ? -1 : 1;
  return shown
    .map((r, k) => ({ r, k, key: sortKey(r, q.sort, names, now) }))
    .sort((a, b) => {
      const c =
        typeof a.key === 'number' && typeof b.key === 'number'
          ? a.key - b.key
          : String(a.key).localeCompare(String(b.key), 'en', { numeric: true });
      return c !== 0 ? sign * c : b.r.createdAt.localeCompare(a.r.createdAt) || a.k - b.k;
    })
    .map((x) => x.r);
}

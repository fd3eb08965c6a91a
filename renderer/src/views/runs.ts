/**
 * The runs table: every run in the engine's database (the app's, or the one `saddle serve --db`
 * shares with CLI runs): a colour and a name that tell it apart, what it was computed from, its key
 * options, backend, state and the time it computed; sorted by any column, filtered by state and kind,
 * searched by words. A name shows the run in the main area. Each row exports what the run can
 * give (the engine says which), resumes a run cut short (a job like any other: progress, ETA, Cancel)
 * and deletes it (a second click confirms). PDF is offered in the desktop app only.
 */
import { type EngineEvent, isCancellation, type ProgressEvent, type RunSummary } from '../../../src/api/contract';
import type { Host } from '../api';
import { h } from '../dom';
import { exportMenu } from './runs-actions';
import {
  baseName,
  COLUMNS,
  computedSeconds,
  dataName,
  defaultQuery,
  displayNames,
  formatSeconds,
  keyOptions,
  queryRuns,
  runColour,
  type TableQuery,
} from './runs-model';
import './runs.css';
import { compareView } from './compare/compare-view';
import { seriesPanel } from './series/series-panel';

const RESUMABLE_KINDS = ['landscape', 'hessian'];
const RESUMABLE_STATES = ['crashed', 'cancelled', 'failed'];

const when = (iso: string) => iso.replace('T', ' ').slice(0, 16);

const STATES = ['pending', 'running', 'finished', 'failed', 'cancelled', 'crashed'];

export interface RunsPanel {
  /** The runs table, for the side panel. */
  element: HTMLElement;
  /** The comparison of ticked runs and the series card, for the main area. */
  wide: HTMLElement;
  refresh(): Promise<void>;
  onEvent(event: EngineEvent): boolean;
  /** The runs in the order shown (sorted, filtered). */
  list(): RunSummary[];
  /** Mark the selected run's row. */
  select(id: string | null): void;
  /** The name the table shows for a run (what tells it apart from the others). */
  displayName(id: string): string | undefined;
}

/** `onOpen` shows a run in the main area (its name was clicked), or nothing (it was deleted). */
export function runsPanel(
  host: Host,
  onError: (e: unknown) => void,
  onOpen: (r: RunSummary | null) => void,
): RunsPanel {
  const body = h('tbody', {});
  /** The run shown in the main area (its row is marked). */
  let current: string | null = null;
  let shownRuns: RunSummary[] = [];
  const empty = h('p', { class: 'muted', 'data-testid': 'runs-empty' }, 'No runs yet.');
  const shownCount = h('span', { class: 'muted', 'data-testid': 'runs-count' });
  /** Runs ticked for comparison, by id; kept across refreshes while they exist. */
  const selected = new Set<string>();
  const compareButton = h('button', { type: 'button', 'data-testid': 'compare-runs', disabled: true }, 'Compare');
  const comparison = compareView();
  const compareCard = h(
    'section',
    { class: 'card', 'data-testid': 'compare-card', hidden: true },
    h('h2', {}, 'Compare runs'),
    comparison.element,
  );
  const updateCompareButton = () => {
    compareButton.disabled = selected.size < 2;
    compareButton.textContent = selected.size ? `Compare ${selected.size}` : 'Compare';
  };
  compareButton.addEventListener('click', async () => {
    try {
      const ids = all.filter((r) => selected.has(r.id)).map((r) => r.id);
      const views = await Promise.all(ids.map((id) => host.api.getRun({ id })));
      comparison.update(
        views.map((view) => ({ view, name: names.get(view.run.id) ?? view.run.name, colour: runColour(view.run.id) })),
      );
      compareCard.hidden = false;
    } catch (e) {
      onError(e);
    }
  });
  let query: TableQuery = { ...defaultQuery };
  let all: RunSummary[] = [];
  let names = new Map<string, string>();

  const search = h('input', {
    type: 'search',
    placeholder: 'search runs',
    'aria-label': 'search runs',
    'data-testid': 'runs-search',
    oninput: () => {
      query = { ...query, search: search.value };
      draw();
    },
  });
  const choice = (label: string, values: string[], set: (v: string) => void) => {
    const select = h(
      'select',
      { 'aria-label': label, onchange: () => set(select.value) },
      h('option', { value: '' }, `any ${label}`),
      ...values.map((v) => h('option', { value: v }, v)),
    );
    return select;
  };
  const stateFilter = choice('state', STATES, (v) => {
    query = { ...query, state: v };
    draw();
  });
  const kindFilter = choice('kind', [], (v) => {
    query = { ...query, kind: v };
    draw();
  });
  const head = h('tr', {});
  const drawHead = () =>
    head.replaceChildren(
      h('th', {}),
      ...COLUMNS.map((c) =>
        h(
          'th',
          {
            class: 'sortable',
            'data-column': c,
            'aria-sort': query.sort === c ? (query.descending ? 'descending' : 'ascending') : 'none',
            onclick: () => {
              query = { ...query, sort: c, descending: query.sort === c ? !query.descending : c === 'created' };
              draw();
            },
          },
          c,
          query.sort === c ? (query.descending ? ' ▾' : ' ▴') : '',
        ),
      ),
      h('th', {}, 'actions'),
    );
  const table = h(
    'section',
    { class: 'card runs', 'data-testid': 'runs' },
    h('h2', {}, 'Runs'),
    h(
      'p',
      { class: 'muted' },
      'Analyses recorded by this engine and by CLI runs on the same database. Drop a saddle.db or a Li .h5 surface file to import runs.',
    ),
    h('div', { class: 'runs-tools' }, search, ' ', stateFilter, ' ', kindFilter, ' ', shownCount, ' ', compareButton),
    empty,
    h('div', { class: 'runs-scroll' }, h('table', {}, h('thead', {}, head), body)),
  );

  /** A second click within 4 s deletes: no dialog to dismiss, no run lost to a stray click. */
  const deleteButton = (r: RunSummary) => {
    let armed = false;
    const button = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        'data-testid': 'run-delete',
        disabled: r.state === 'running' || r.state === 'pending',
        onclick: async () => {
          if (!armed) {
            armed = true;
            button.textContent = 'Confirm delete';
            setTimeout(() => {
              armed = false;
              button.textContent = 'Delete';
            }, 4000);
            return;
          }
          try {
            await host.api.deleteRun({ id: r.id });
            if (current === r.id) onOpen(null);
          } catch (e) {
            onError(e);
          }
          await refresh();
        },
      },
      'Delete',
    );
    return button;
  };

  /** Resumes this panel started, by run id: their job, last progress, and how the last one ended. */
  const resumes = new Map<string, { job: string; last: ProgressEvent | null }>();
  const notes = new Map<string, string>();
  /** The progress line of each row with a resume running, to update in place. */
  const lines = new Map<string, { bar: HTMLProgressElement; text: HTMLElement }>();

  const showProgress = (runId: string) => {
    const line = lines.get(runId);
    const last = resumes.get(runId)?.last;
    if (!line) return;
    if (!last) {
      line.bar.removeAttribute('value');
      line.text.textContent = 'waiting for the engine…';
      return;
    }
    line.bar.max = last.total;
    line.bar.value = last.done;
    const eta = last.etaSeconds ? `, about ${Math.ceil(last.etaSeconds)} s left` : '';
    line.text.textContent = `${last.stage} ${last.done}/${last.total}${eta}`;
  };

  const resume = async (r: RunSummary) => {
    const job = `resume-${r.id.slice(0, 8)}-${Date.now().toString(36)}`;
    resumes.set(r.id, { job, last: null });
    notes.delete(r.id);
    await refresh();
    try {
      await host.api.resumeRun({ job, id: r.id });
    } catch (e) {
      if (isCancellation(e)) notes.set(r.id, 'resume cancelled; the run keeps what it finished.');
      else onError(e);
    } finally {
      resumes.delete(r.id);
      await refresh();
    }
  };

  const stateCell = (r: RunSummary) => {
    const cell = h('td', {}, h('span', { class: `state ${r.state}`, title: r.error ?? '' }, r.state));
    const resuming = resumes.get(r.id);
    if (resuming) {
      const bar = h('progress', { max: '1', 'data-testid': 'resume-progress' });
      const text = h('span', { class: 'muted', 'data-testid': 'resume-stage' });
      lines.set(r.id, { bar, text });
      showProgress(r.id);
      const cancel = h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: () => void host.api.cancel({ job: resuming.job }).catch(onError),
        },
        'Cancel',
      );
      cell.append(' ', bar, ' ', text, ' ', cancel);
    }
    const note = notes.get(r.id);
    if (note) cell.append(' ', h('span', { class: 'muted', 'data-testid': 'resume-note' }, note));
    return cell;
  };

  const pick = (r: RunSummary) => {
    const box = h('input', {
      type: 'checkbox',
      'aria-label': `compare ${names.get(r.id) ?? r.name}`,
      'data-testid': 'run-pick',
      onchange: () => {
        if (box.checked) selected.add(r.id);
        else selected.delete(r.id);
        updateCompareButton();
      },
    });
    box.checked = selected.has(r.id);
    return box;
  };

  const row = (r: RunSummary): HTMLElement => {
    const { select, exportButton } = exportMenu(host, r, onError);
    const pdf =
      host.kind === 'electron'
        ? h(
            'button',
            {
              type: 'button',
              onclick: () => host.api.exportPdf({ id: r.id }).catch(onError),
            },
            'PDF…',
          )
        : null;
    const resumable = RESUMABLE_KINDS.includes(r.kind) && RESUMABLE_STATES.includes(r.state) && !resumes.has(r.id);
    const resumeButton = resumable ? h('button', { type: 'button', onclick: () => void resume(r) }, 'Resume') : null;
    const name = names.get(r.id) ?? r.name;
    const duration = computedSeconds(r, Date.now());
    return h(
      'tr',
      {
        'data-run': r.id,
        ...(r.seriesId ? { 'data-series': r.seriesId } : {}),
        class: r.id === current ? 'selected' : '',
        'aria-selected': String(r.id === current),
      },
      h(
        'td',
        { class: 'pick' },
        pick(r),
        ' ',
        h('span', { class: 'swatch', style: `background:${runColour(r.id)}`, title: `run ${r.id}` }),
      ),
      h(
        'td',
        { title: r.id, class: 'run-name' },
        h(
          'a',
          {
            href: '#',
            onclick: (e: Event) => {
              e.preventDefault();
              onOpen(r);
            },
          },
          name,
        ),
      ),
      h('td', { title: r.model ?? '' }, baseName(r.model)),
      h('td', { title: r.weights ?? '' }, baseName(r.weights)),
      h('td', { title: r.data ?? '' }, dataName(r.data)),
      h('td', { class: 'num' }, r.samples === null || r.samples === undefined ? '' : String(r.samples)),
      h('td', { class: 'options' }, keyOptions(r)),
      h('td', {}, r.backend ?? ''),
      stateCell(r),
      h('td', {}, when(r.createdAt)),
      h(
        'td',
        { class: 'num', 'data-testid': 'run-duration' },
        `${formatSeconds(duration)}${r.state === 'running' && duration !== null ? '…' : ''}`,
      ),
      h(
        'td',
        { class: 'actions' },
        select,
        ' ',
        exportButton,
        pdf ? ' ' : '',
        pdf,
        resumeButton ? ' ' : '',
        resumeButton,
        ' ',
        deleteButton(r),
      ),
    );
  };

  /** Redraw from the runs last read and the query: sorting, filtering and search need no engine call. */
  function draw(): void {
    drawHead();
    lines.clear();
    const shown = queryRuns(all, query, names, Date.now());
    shownRuns = shown;
    body.replaceChildren(...shown.map(row));
    empty.hidden = all.length > 0;
    shownCount.textContent =
      shown.length === all.length ? `${all.length} runs` : `${shown.length} of ${all.length} runs`;
  }

  async function refresh(): Promise<void> {
    try {
      all = await host.api.listRuns({});
      names = displayNames(all);
      for (const id of [...selected]) if (!all.some((r) => r.id === id)) selected.delete(id);
      updateCompareButton();
      const kinds = [...new Set(all.map((r) => r.kind))].sort();
      const current = kindFilter.value;
      kindFilter.replaceChildren(
        h('option', { value: '' }, 'any kind'),
        ...kinds.map((k) => h('option', { value: k }, k)),
      );
      kindFilter.value = kinds.includes(current) ? current : '';
      query = { ...query, kind: kindFilter.value };
      draw();
    } catch (e) {
      // An engine without a database (never the app or serve) has no runs to show.
      empty.textContent = e instanceof Error ? e.message : String(e);
    }
  }

  /** Progress of a resume this panel started: shown in its row. True when the event was one. */
  const onEvent = (event: EngineEvent): boolean => {
    if (series.onEvent(event)) return true;
    if (event.type !== 'progress' || !event.runId) return false;
    const resuming = resumes.get(event.runId);
    if (resuming?.job !== event.job) return false;
    resuming.last = event;
    showProgress(event.runId);
    return true;
  };
  // The comparison and the series card need the main area's width; the series card refreshes with
  // the table (it sits outside it: its rows are not runs). Its trajectory and interpolation buttons
  // open the run they start.
  const series = seriesPanel(host, onError, async (runId) => {
    await refresh();
    const r = (await host.api.listRuns({})).find((x) => x.id === runId);
    if (r) onOpen(r);
  });
  const wide = h('div', { class: 'runs-and-series' }, compareCard, series.element);
  return {
    element: table,
    wide,
    refresh: () => Promise.all([refresh(), series.refresh()]).then(() => {}),
    onEvent,
    list: () => shownRuns,
    displayName: (id) => names.get(id),
    select(id) {
      current = id;
      for (const tr of body.querySelectorAll('tr')) {
        const on = tr.getAttribute('data-run') === id;
        tr.classList.toggle('selected', on);
        tr.setAttribute('aria-selected', String(on));
      }
    },
  };
}

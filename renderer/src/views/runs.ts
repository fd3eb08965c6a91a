/**
 * The runs panel: every run in the engine's database (the app's, or the one `saddle serve --db`
 * shares with CLI runs), with its state, and the exports each can give (the engine says which). A
 * resume is a job like any other: the run's row shows its progress, ETA and a Cancel button.
 * PDF is offered in the desktop app only.
 */
import {
  type EngineEvent,
  type ExportChoice,
  type ExportedFile,
  isCancellation,
  type ProgressEvent,
  type RunSummary,
} from '../../../src/api/contract';
import type { Host } from '../api';
import { isConnectionError } from '../connection';
import { h } from '../dom';

const RESUMABLE_KINDS = ['landscape', 'hessian'];
const RESUMABLE_STATES = ['crashed', 'cancelled', 'failed'];

function download(file: ExportedFile): void {
  const bytes = file.encoding === 'base64' ? Uint8Array.from(atob(file.content), (c) => c.charCodeAt(0)) : file.content;
  const url = URL.createObjectURL(new Blob([bytes], { type: file.mimeType }));
  const a = h('a', { href: url, download: file.fileName, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const when = (iso: string) => iso.replace('T', ' ').slice(0, 16);

/** The run's figures, as the engine draws them for reports (SVG, shown as images: no script runs). */
export async function figures(host: Host, r: RunSummary, surface = true): Promise<HTMLElement[]> {
  const grid = ['landscape', 'interpolate', 'trajectory'].includes(r.kind);
  // A 1-D curve has no surface: not asked for, so no refused request shows in the console.
  const wanted: Array<'surface' | undefined> = grid && surface ? [undefined, 'surface'] : [undefined];
  const out: HTMLElement[] = [];
  for (const figure of wanted) {
    try {
      const file = await host.api.exportRun({ id: r.id, format: 'svg', ...(figure ? { figure } : {}) });
      const url = URL.createObjectURL(new Blob([file.content], { type: 'image/svg+xml' }));
      out.push(h('img', { src: url, alt: `${r.name}: ${figure ?? 'figure'}`, class: 'figure' }));
    } catch (e) {
      // A 1-D curve has no surface; a loss run has no figure at all. A lost server is not "no figures".
      if (isConnectionError(e)) throw e;
    }
  }
  return out;
}

export interface RunsPanel {
  element: HTMLElement;
  refresh(): Promise<void>;
  onEvent(event: EngineEvent): boolean;
  /** The runs in the order listed (newest first). */
  list(): RunSummary[];
  /** Mark the selected run's row. */
  select(id: string | null): void;
}

/** `onOpen` shows a run in the main area (its name was clicked). */
export function runsPanel(host: Host, onError: (e: unknown) => void, onOpen: (r: RunSummary) => void): RunsPanel {
  const body = h('tbody', {});
  let listed: RunSummary[] = [];
  let selected: string | null = null;
  const empty = h('p', { class: 'muted', 'data-testid': 'runs-empty' }, 'No runs yet.');
  const element = h(
    'section',
    { class: 'card runs', 'data-testid': 'runs' },
    h('h2', {}, 'Runs'),
    h(
      'p',
      { class: 'muted' },
      'Analyses recorded by this engine and by CLI runs on the same database. Drop a saddle.db or a Li .h5 surface file to import runs.',
    ),
    empty,
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, ...['name', 'kind', 'state', 'created', 'time', 'export'].map((c) => h('th', {}, c)))),
      body,
    ),
  );

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

  const exportMenu = (r: RunSummary) => {
    let choices: ExportChoice[] = [];
    const select = h('select', { 'aria-label': `export format for ${r.name}`, disabled: true });
    const exportButton = h(
      'button',
      {
        type: 'button',
        disabled: true,
        onclick: async () => {
          const c = choices[Number(select.value)];
          if (!c) return;
          try {
            download(
              await host.api.exportRun({
                id: r.id,
                format: c.format,
                ...(c.table ? { table: c.table } : {}),
                ...(c.figure ? { figure: c.figure } : {}),
              }),
            );
          } catch (e) {
            onError(e);
          }
        },
      },
      'Export',
    );
    // Only what this run can give: the engine decides from what the run holds.
    host.api.availableExports({ id: r.id }).then(
      (list) => {
        choices = list;
        select.replaceChildren(...list.map((c, k) => h('option', { value: String(k) }, c.label)));
        select.disabled = exportButton.disabled = list.length === 0;
      },
      () => {
        // The run was deleted meanwhile: the next refresh drops its row.
      },
    );
    return { select, exportButton };
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

  const row = (r: RunSummary): HTMLElement => {
    const { select, exportButton } = exportMenu(r);
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
    return h(
      'tr',
      { 'data-run': r.id, class: r.id === selected ? 'selected' : '', 'aria-selected': String(r.id === selected) },
      h(
        'td',
        { title: `${r.id}, created ${when(r.createdAt)}` },
        h(
          'a',
          {
            href: '#',
            onclick: (e: Event) => {
              e.preventDefault();
              onOpen(r);
            },
          },
          r.name,
        ),
      ),
      h('td', {}, r.kind),
      stateCell(r),
      h('td', {}, when(r.createdAt)),
      h('td', { class: 'num' }, r.seconds === null ? '' : `${r.seconds.toFixed(1)} s`),
      h('td', {}, select, ' ', exportButton, pdf ? ' ' : '', pdf, resumeButton ? ' ' : '', resumeButton),
    );
  };

  async function refresh(): Promise<void> {
    try {
      const runs = await host.api.listRuns({});
      listed = runs;
      lines.clear();
      body.replaceChildren(...runs.map(row));
      empty.hidden = runs.length > 0;
    } catch (e) {
      // An engine without a database (never the app or serve) has no runs to show.
      empty.textContent = e instanceof Error ? e.message : String(e);
    }
  }

  /** Progress of a resume this panel started: shown in its row. True when the event was one. */
  const onEvent = (event: EngineEvent): boolean => {
    if (event.type !== 'progress' || !event.runId) return false;
    const resuming = resumes.get(event.runId);
    if (resuming?.job !== event.job) return false;
    resuming.last = event;
    showProgress(event.runId);
    return true;
  };
  return {
    element,
    refresh,
    onEvent,
    list: () => listed,
    select(id) {
      selected = id;
      for (const tr of body.querySelectorAll('tr')) {
        const on = tr.getAttribute('data-run') === id;
        tr.classList.toggle('selected', on);
        tr.setAttribute('aria-selected', String(on));
      }
    },
  };
}

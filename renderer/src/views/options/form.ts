/**
 * A small form builder for analysis options: each field has a label, a default, limits and a line of
 * help; `read()` returns the values or throws one sentence naming the field and what is wrong, so a
 * job never starts from a value the user did not mean. Options, not drawing: no engine calls here.
 */
import { h } from '../../dom';

interface Base {
  key: string;
  label: string;
  help: string;
}
export type Field =
  | (Base & { kind: 'int'; default: number | null; min: number; max: number })
  | (Base & { kind: 'number'; default: number | null; min?: number; max?: number; positive?: boolean })
  | (Base & { kind: 'bool'; default: boolean })
  | (Base & { kind: 'select'; default: string; choices: Array<[string, string]> })
  | (Base & { kind: 'text'; default: string; pattern?: RegExp; patternHelp?: string; optional?: boolean })
  | (Base & { kind: 'list'; default: string; optional: true });

export type FormValues = Record<string, number | boolean | string | number[] | undefined>;

export interface OptionsForm {
  element: HTMLElement;
  /** The values, validated; throws an Error naming the field. Empty optional fields are undefined. */
  read(): FormValues;
  /** Set fields from values (e.g. a run's recorded options). */
  set(values: FormValues): void;
  input(key: string): HTMLInputElement | HTMLSelectElement;
}

function control(f: Field): HTMLInputElement | HTMLSelectElement {
  const common = { 'aria-label': f.label, 'data-option': f.key, title: f.help };
  if (f.kind === 'bool') {
    const box = h('input', { ...common, type: 'checkbox' });
    box.checked = f.default;
    return box;
  }
  if (f.kind === 'select') {
    const select = h('select', common, ...f.choices.map(([v, label]) => h('option', { value: v }, label)));
    select.value = f.default;
    return select;
  }
  const numeric = f.kind === 'int' || f.kind === 'number';
  const input = h('input', {
    ...common,
    type: 'text',
    inputmode: numeric ? (f.kind === 'int' ? 'numeric' : 'decimal') : 'text',
    class: numeric ? 'narrow' : '',
    placeholder: f.kind === 'list' || (f.kind === 'text' && f.optional) || f.default === null ? 'none' : '',
  });
  input.value = f.default === null ? '' : String(f.default);
  return input;
}

function readField(f: Field, el: HTMLInputElement | HTMLSelectElement, where: string): FormValues[string] {
  if (f.kind === 'bool') return (el as HTMLInputElement).checked;
  const text = el.value.trim();
  if (f.kind === 'select') return text;
  const bad = (why: string) => new Error(`${where}: ${f.label} ${why}; '${text}' is not.`);
  if (f.kind === 'int' || f.kind === 'number') {
    if (text === '') {
      if (f.default === null) return undefined;
      throw bad('needs a value');
    }
    const n = Number(text);
    if (!Number.isFinite(n))
      throw bad(f.kind === 'int' ? `must be a whole number from ${f.min} to ${f.max}` : 'must be a number');
    if (f.kind === 'int') {
      if (!Number.isInteger(n) || n < f.min || n > f.max) throw bad(`must be a whole number from ${f.min} to ${f.max}`);
      return n;
    }
    if (f.positive && n <= 0) throw bad('must be above 0');
    if ((f.min !== undefined && n < f.min) || (f.max !== undefined && n > f.max))
      throw bad(`must be from ${f.min ?? '-∞'} to ${f.max ?? '∞'}`);
    return n;
  }
  if (f.kind === 'list') {
    if (text === '') return undefined;
    const xs = text.split(',').map((s) => Number(s.trim()));
    if (xs.some((x) => !Number.isFinite(x))) throw bad('must be numbers separated by commas');
    return xs;
  }
  if (text === '') {
    if (f.optional) return undefined;
    throw bad('needs a value');
  }
  if (f.pattern && !f.pattern.test(text)) throw bad(`must look like ${f.patternHelp ?? f.pattern.source}`);
  return text;
}

/** `where` names the form in messages ("Spectrum options"). */
export function optionsForm(where: string, fields: Field[], testId: string): OptionsForm {
  const controls = new Map(fields.map((f) => [f.key, control(f)]));
  const rows = fields.map((f) =>
    h(
      'label',
      { class: `option ${f.kind}`, title: f.help },
      h('span', { class: 'option-label' }, f.label),
      controls.get(f.key) as HTMLElement,
    ),
  );
  return {
    element: h('div', { class: 'options', 'data-testid': testId }, ...rows),
    read() {
      return Object.fromEntries(
        fields.map((f) => [f.key, readField(f, controls.get(f.key) as HTMLInputElement, where)]),
      );
    },
    set(values) {
      for (const [k, v] of Object.entries(values)) {
        const el = controls.get(k);
        if (!el || v === undefined) continue;
        if (el instanceof HTMLInputElement && el.type === 'checkbox') el.checked = Boolean(v);
        else el.value = Array.isArray(v) ? v.join(', ') : String(v);
      }
    },
    input(key) {
      const el = controls.get(key);
      if (!el) throw new Error(`No option '${key}'.`);
      return el;
    },
  };
}

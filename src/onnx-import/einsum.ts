/**
 * Einsum for one or two operands without repeated letters in one operand (no diagonals): sum out
 * letters private to one operand, then contract with a batched matmul laid out as
 * [batch, kept-a, shared] · [batch, shared, kept-b], then transpose into the output order.
 */
import type { Graph, V } from '../engine/graph';
import type { OpContext } from './context';

function parse(c: OpContext, equation: string, ranks: number[]): { ins: string[]; out: string } {
  const eq = equation.replace(/\s+/g, '');
  if (eq.includes('...')) throw c.unsupported(`ellipsis in einsum '${equation}' is not supported`);
  const [lhs, rhs] = eq.split('->');
  const ins = lhs.split(',');
  ins.forEach((term, i) => {
    if (term.length !== ranks[i]) throw c.error(`einsum term '${term}' does not match an input of rank ${ranks[i]}`);
    if (new Set(term).size !== term.length)
      throw c.unsupported(`repeated index in einsum term '${term}' is not supported`);
  });
  let out = rhs;
  if (out === undefined) {
    const counts = new Map<string, number>();
    for (const ch of ins.join('')) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    out = [...counts.entries()]
      .filter(([, n]) => n === 1)
      .map(([ch]) => ch)
      .sort()
      .join('');
  }
  return { ins, out };
}

/** Sum out letters of `term` that appear in neither `keep`. */
function sumPrivate(g: Graph, x: V, term: string, keep: string): { x: V; term: string } {
  const drop = [...term].map((ch, i) => (keep.includes(ch) ? -1 : i)).filter((i) => i >= 0);
  if (drop.length === 0) return { x, term };
  const kept = [...term].filter((ch) => keep.includes(ch)).join('');
  const shape = g.shape(x).filter((_d, i) => !drop.includes(i));
  return { x: g.reshape(g.sum(x, drop), shape), term: kept };
}

function permuteTo(g: Graph, x: V, term: string, order: string): V {
  return g.transpose(
    x,
    [...order].map((ch) => term.indexOf(ch)),
  );
}

export function einsum(c: OpContext): V {
  const g = c.g;
  const operands = c.node.inputs.map((_n, i) => c.input(i));
  const { ins, out } = parse(
    c,
    c.attr('equation', ''),
    operands.map((v) => g.shape(v).length),
  );
  if (operands.length === 1) {
    const r = sumPrivate(g, operands[0], ins[0], out);
    return permuteTo(g, r.x, r.term, out);
  }
  if (operands.length !== 2) throw c.unsupported(`einsum with ${operands.length} operands is not supported`);
  const a = sumPrivate(g, operands[0], ins[0], ins[1] + out);
  const b = sumPrivate(g, operands[1], ins[1], a.term + out);
  const dims = new Map<string, number>();
  [...a.term].forEach((ch, i) => dims.set(ch, g.shape(a.x)[i]));
  [...b.term].forEach((ch, i) => dims.set(ch, g.shape(b.x)[i]));
  const batch = [...a.term].filter((ch) => b.term.includes(ch) && out.includes(ch)).join('');
  const shared = [...a.term].filter((ch) => b.term.includes(ch) && !out.includes(ch)).join('');
  const aKeep = [...a.term].filter((ch) => !b.term.includes(ch)).join('');
  const bKeep = [...b.term].filter((ch) => !a.term.includes(ch)).join('');
  const n = (letters: string) => [...letters].reduce((p, ch) => p * (dims.get(ch) ?? 1), 1);
  const A = g.reshape(permuteTo(g, a.x, a.term, batch + aKeep + shared), [n(batch), n(aKeep), n(shared)]);
  const B = g.reshape(permuteTo(g, b.x, b.term, batch + shared + bKeep), [n(batch), n(shared), n(bKeep)]);
  const prodTerm = batch + aKeep + bKeep;
  const prod = g.reshape(
    g.matmul(A, B),
    [...prodTerm].map((ch) => dims.get(ch) ?? 1),
  );
  return permuteTo(g, prod, prodTerm, out);
}

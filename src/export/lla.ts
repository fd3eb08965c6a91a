/**
 * The LLA criteria as LLA writes them to `hessian_criteria_<name>.log`: `re: <re>, Kh<n>: <Kh>`, the
 * means over SLQ runs printed the way Python prints floats, so scripts that parse LLA logs read ours.
 */
import type { LlaCriteria } from '../analysis/density';
import type { RunData } from './run-data';

/** Python's repr of a float: shortest round-trip digits, exponent form below 1e-4 or from 1e16. */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (x === 0) return `${sign}0.0`;
  // JS and Python agree on the shortest round-trip digits; only where the point goes differs.
  const [mantissa, expText] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16)
    return `${sign}${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  return `${sign}${whole}.${digits.slice(exp + 1) || '0'}`;
}

const criteriaOf = (data: RunData) => (data.results.spectrum as { criteria?: LlaCriteria } | undefined)?.criteria;

/** Why the run has no LLA line, or null. */
export function llaProblem(data: RunData): string | null {
  return criteriaOf(data)
    ? null
    : `Run ${data.run.id.slice(0, 8)} has no LLA criteria; run saddle hessian with --density to compute them.`;
}

export function llaLine(data: RunData): string {
  const criteria = criteriaOf(data);
  if (!criteria) throw new Error(llaProblem(data) ?? '');
  // LLA divides by the positive sum regardless, so a run with no positive node makes its mean inf.
  const kh = criteria.kh.mean ?? Number.POSITIVE_INFINITY;
  return `re: ${pythonFloat(criteria.re.mean)}, Kh${pythonFloat(criteria.kh.n)}: ${pythonFloat(kh)}\n`;
}

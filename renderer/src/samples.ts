/** The samples field: empty means all, otherwise a whole number of at least 1 (no silent fallback). */
export function parseSamples(text: string): { samples?: number } {
  const t = text.trim();
  if (t === '') return {};
  const n = Number(t);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`Samples must be a whole number of at least 1, or empty for all of them; '${t}' is not.`);
  return { samples: n };
}

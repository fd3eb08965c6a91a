/** The samples field of the Analyze card (renderer/src/samples.ts) and the API behind it. */
import { describe, expect, it } from 'vitest';
import { parseSamples } from '../renderer/src/samples';
import { methods } from '../src/api/contract';

describe('samples', () => {
  it('empty means all; a whole number of at least 1 is taken', () => {
    expect(parseSamples('')).toEqual({});
    expect(parseSamples(' 64 ')).toEqual({ samples: 64 });
  });

  it('0, -5, 1.5 and text are refused with a sentence, in the UI and by the API', () => {
    for (const value of ['0', '-5', '1.5', 'abc']) {
      expect(() => parseSamples(value)).toThrow(
        `Samples must be a whole number of at least 1, or empty for all of them; '${value}' is not.`,
      );
      const request = { job: 'j', modelId: 'm', data: 'd.npz', samples: Number(value) };
      expect(methods.landscape.request.safeParse(request).success).toBe(false);
      expect(methods.hessian.request.safeParse(request).success).toBe(false);
    }
  });
});

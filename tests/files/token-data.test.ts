/**
 * Token data: integer input arrays, several graph inputs fed by name, and the refusals that come
 * before any work (token ids outside the vocabulary, targets outside the classes, a model input no
 * array feeds), each naming the array, the position, the value and the valid range.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { loadDataset, parseInputsKey } from '../../src/data/load';
import { classAxisOf } from '../../src/evaluator/feeds';
import { Objective } from '../../src/evaluator/objective';
import { readNpz } from '../../src/formats/numpy';
import { loadOnnxFile } from '../../src/model/open';
import { fixture } from '../helpers';

const dir = mkdtempSync(join(tmpdir(), 'saddle-tokens-'));

/** An .npz of int64 arrays (NumPy format 1.0). */
function writeInt64Npz(path: string, arrays: Record<string, { shape: number[]; data: ArrayLike<number> }>) {
  const entries: Record<string, Uint8Array> = {};
  for (const [name, a] of Object.entries(arrays)) {
    let header = `{'descr': '<i8', 'fortran_order': False, 'shape': (${a.shape.join(', ')}${a.shape.length === 1 ? ',' : ''}), }`;
    header = `${header.padEnd(Math.ceil((11 + header.length) / 64) * 64 - 11, ' ')}\n`;
    const body = BigInt64Array.from(Array.from(a.data, (x) => BigInt(x)));
    const out = new Uint8Array(10 + header.length + body.byteLength);
    out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
    new DataView(out.buffer).setUint16(8, header.length, true);
    out.set(new TextEncoder().encode(header), 10);
    out.set(new Uint8Array(body.buffer), 10 + header.length);
    entries[`${name}.npy`] = out;
  }
  writeFileSync(path, zipSync(entries, { level: 0 }));
}

/** The fixture's arrays, as plain numbers, to alter one value. */
function fixtureArrays(name: string) {
  const arrays = readNpz(new Uint8Array(readFileSync(fixture('models', `${name}-data.npz`))), name);
  return Object.fromEntries([...arrays].map(([k, a]) => [k, { shape: a.shape, data: Array.from(a.data) }]));
}

async function objectiveFor(model: string, arrays: ReturnType<typeof fixtureArrays>, inputsKey: string) {
  const path = join(dir, `${model}-${Math.random().toString(36).slice(2)}.npz`);
  writeInt64Npz(path, arrays);
  const data = await loadDataset(path, { inputsKey });
  return new Objective(await loadOnnxFile(fixture('models', `${model}.onnx`)), data, {
    loss: 'cross-entropy',
    bn: 'eval',
    batchSize: 4,
  });
}

describe('token data', () => {
  it('reads int64 token ids without conversion and feeds both inputs of a two-input model', async () => {
    const obj = await objectiveFor(
      'tiny_bert',
      fixtureArrays('tiny_bert'),
      'input_ids=input_ids,attention_mask=attention_mask',
    );
    const r = await obj.evaluate(obj.initialTheta());
    expect(Number.isFinite(r.loss)).toBe(true);
    obj.dispose();
  });

  it('feeds arrays named like the model inputs when no mapping is given', async () => {
    const data = await loadDataset(fixture('models', 'tiny_bert-data.npz'), {
      modelInputs: ['input_ids', 'attention_mask'],
    });
    expect(data.inputName).toBe('input_ids');
    expect(data.inputs.integer).toBe(true);
    expect(data.extraInputs?.map((x) => [x.name, x.key])).toEqual([['attention_mask', 'attention_mask']]);
    const model = await loadOnnxFile(fixture('models', 'tiny_bert.onnx'));
    const obj = new Objective(model, data, { loss: 'cross-entropy', bn: 'eval', batchSize: 2 });
    expect(Number.isFinite((await obj.evaluate(obj.initialTheta())).loss)).toBe(true);
    obj.dispose();
  });

  it('refuses a token id outside the vocabulary, naming the array, position, value and range', async () => {
    const a = fixtureArrays('tiny_gpt');
    a.input_ids.data[2 * 8 + 3] = 13;
    await expect(objectiveFor('tiny_gpt', a, 'input_ids=input_ids')).rejects.toThrow(
      /'input_ids' holds 13 at position \[2, 3\].*embedding of 13 rows.*\[0, 12\]/,
    );
    a.input_ids.data[2 * 8 + 3] = -1;
    await expect(objectiveFor('tiny_gpt', a, 'input_ids=input_ids')).rejects.toThrow(/holds -1 at position \[2, 3\]/);
  });

  it('refuses a target outside the classes (but not the ignore index -100)', async () => {
    const a = fixtureArrays('tiny_gpt');
    a.targets.data[5 * 8 + 7] = 13;
    await expect(objectiveFor('tiny_gpt', a, 'input_ids=input_ids')).rejects.toThrow(
      /'targets' in .* holds 13 at position \[5, 7\], but the model has 13 classes: targets must be integers in \[0, 12\], or -100/,
    );
    a.targets.data[5 * 8 + 7] = -1;
    await expect(objectiveFor('tiny_gpt', a, 'input_ids=input_ids')).rejects.toThrow(/holds -1 at position \[5, 7\]/);
  });

  it('asks for an array per input when the model has several', async () => {
    await expect(objectiveFor('tiny_bert', fixtureArrays('tiny_bert'), 'input_ids')).rejects.toThrow(
      /The model has 2 inputs \(input_ids, attention_mask\) .* feeds no array to attention_mask; name one array per input with --inputs-key input_ids=<array>,attention_mask=<array>/,
    );
    await expect(
      objectiveFor('tiny_bert', fixtureArrays('tiny_bert'), 'input_ids=input_ids,mask=attention_mask'),
    ).rejects.toThrow(/the model has no input 'mask' \(its inputs: input_ids, attention_mask\)/);
  });

  it('parses --inputs-key as one name or input=array pairs', () => {
    expect(parseInputsKey(undefined)).toEqual([{ name: null, key: 'inputs' }]);
    expect(parseInputsKey('x')).toEqual([{ name: null, key: 'x' }]);
    expect(parseInputsKey('input_ids=ids, attention_mask=mask')).toEqual([
      { name: 'input_ids', key: 'ids' },
      { name: 'attention_mask', key: 'mask' },
    ]);
    expect(() => parseInputsKey('a=b,c')).toThrow(/'c' is not of the form input=array/);
    expect(() => parseInputsKey('a=b,a=c')).toThrow(/names the model input 'a' twice/);
  });

  it('refuses integer inputs beyond float32’s exact range', async () => {
    const path = join(dir, 'huge.npz');
    writeInt64Npz(path, { inputs: { shape: [1, 2], data: [1, 2 ** 24] }, targets: { shape: [1], data: [0] } });
    await expect(loadDataset(path)).rejects.toThrow(/'inputs' holds 16777216 at flat position 1/);
  });
});

describe('the class axis of class-index targets', () => {
  it('is axis 1 for PyTorch layouts, the last for [N, T, V], and ignores axes of size 1', () => {
    expect(classAxisOf([4, 10], [4])).toBe(1);
    expect(classAxisOf([4, 10], [4, 1])).toBe(1);
    expect(classAxisOf([4, 5, 7], [4, 7])).toBe(1);
    expect(classAxisOf([4, 7, 13], [4, 7])).toBe(2);
    expect(classAxisOf([4, 7, 7], [4, 7])).toBe(1);
    expect(classAxisOf([4, 3, 8, 8], [4, 8, 8])).toBe(1);
    expect(classAxisOf([4, 7, 13], [4, 6])).toBeNull();
  });
});

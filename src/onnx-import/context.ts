/** What an operator importer sees: the graph builder, the node, its attributes and inputs. */

import type { Graph, V } from '../engine/graph';
import { UnsupportedError } from '../formats/errors';
import type { AttributeValue, OnnxNode, OnnxTensor } from '../formats/onnx/read';
import { isIntegerType } from './elem-types';

export interface ImportOptions {
  /** BatchNorm with running statistics (eval, default) or batch statistics (train). */
  bn: 'eval' | 'train';
}

export class OpContext {
  constructor(
    readonly g: Graph,
    readonly node: OnnxNode,
    readonly opset: number,
    private readonly values: Map<string, V>,
    readonly options: ImportOptions,
    readonly tensorOf: (t: OnnxTensor) => V,
    /** ONNX element types by value name (see elem-types.ts); absent where unknown. */
    private readonly types: ReadonlyMap<string, number> = new Map(),
  ) {}

  /** Whether input i has an integer element type (ONNX gives Div and Mod other meanings there). */
  isIntegerInput(i: number): boolean {
    return isIntegerType(this.types.get(this.node.inputs[i] ?? ''));
  }

  /** The i-th input, or null when it is absent or named ''. */
  maybeInput(i: number): V | null {
    const name = this.node.inputs[i];
    if (!name) return null;
    const v = this.values.get(name);
    if (v === undefined) throw this.error(`input '${name}' is not produced by any earlier node`);
    return v;
  }

  input(i: number): V {
    const v = this.maybeInput(i);
    if (v === null) throw this.error(`input ${i} is required`);
    return v;
  }

  get inputCount(): number {
    return this.node.inputs.length;
  }

  attr(name: string, fallback: number): number;
  attr(name: string, fallback: string): string;
  attr<T extends AttributeValue>(name: string, fallback: T): T;
  attr(name: string, fallback: AttributeValue): AttributeValue {
    return this.node.attributes.get(name) ?? fallback;
  }

  hasAttr(name: string): boolean {
    return this.node.attributes.has(name);
  }

  /** The values of an input that must be known when the model is compiled (shapes, axes, pads). */
  constInts(i: number): number[] {
    const v = this.input(i);
    if (!this.g.isConst(v)) {
      throw this.unsupported(
        `input ${i} ('${this.node.inputs[i]}') must be computable from shapes and constants, but it depends on the data`,
      );
    }
    return Array.from(this.g.constData(v));
  }

  maybeConstInts(i: number): number[] | null {
    return this.maybeInput(i) === null ? null : this.constInts(i);
  }

  shape(v: V): readonly number[] {
    return this.g.shape(v);
  }

  error(detail: string): Error {
    return new Error(`${this.node.opType} node '${this.node.name}': ${detail}.`);
  }

  unsupported(detail: string): UnsupportedError {
    return new UnsupportedError(`${this.node.opType} node '${this.node.name}' (opset ${this.opset}): ${detail}.`);
  }
}

export type OpImporter = (ctx: OpContext) => V[];

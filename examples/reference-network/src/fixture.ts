import { Matrix } from 'ml-matrix';
import type { Parameters } from './network.js';

/** The classic reference case (see test/fixtures/reference-case.json): nested row-major arrays. */
export interface ReferenceCase {
  readonly X: number[][];
  readonly Y: number[][];
  readonly parameters: Record<string, number[][]>;
  readonly epsilon: number;
  readonly cost: number;
  readonly gradients_correct: Record<string, number[][]>;
  readonly gradients_buggy: Record<string, number[][]>;
  readonly numeric_gradients: Record<string, number[][]>;
  readonly difference_correct_original_printout: number;
  readonly difference_buggy_original_printout: number;
}

/** The reference case's X, Y and parameters as ml-matrix matrices (fresh copies each call). */
export function referenceMatrices(fixture: ReferenceCase): { X: Matrix; Y: Matrix; parameters: Parameters } {
  const parameters: Parameters = {};
  for (const [name, value] of Object.entries(fixture.parameters)) parameters[name] = new Matrix(value);
  return { X: new Matrix(fixture.X), Y: new Matrix(fixture.Y), parameters };
}

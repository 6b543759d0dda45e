import { registerTfjsAdapters } from './adapters.js';

registerTfjsAdapters();

export {
  tfModel,
  LOSS_NAMES,
  type TfLoss,
  type TfModelLike,
  type TfModelOptions,
  type TfGradcheckModel,
} from './model.js';
export { tfFunction, type TfFunctionOptions, type TfFunctionLayer, type TfInputs, type TfOutputs } from './function.js';
export { VariableSlot } from './variables.js';
export { flushPendingWrites } from './host.js';
export type { HostTensor } from './read.js';
export type { LayerVariableLike } from './tfjs.js';

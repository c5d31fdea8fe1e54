/**
 * The model a trial trains and its optimizer: the built-in one from `task.model`, or a module's `buildModel()`.
 * tune compiles a module's model with the tuned optimizer, learning rate, decay and l2, unless the module compiled
 * it itself; then the module's optimizer and loss are used as they are, and only the params it reads apply.
 */
import * as tf from '@tensorflow/tfjs';
import type { Hyperparams } from './hyperparams.js';
import { crossEntropy } from './loss.js';
import { buildModel, inputShape, type ModelInput } from './model.js';
import { createOptimizer, disposeOptimizer } from './optimizer.js';
import { size, type TrainingData } from './task-data.js';
import { callExport, TaskModuleError, type LoadedModule } from '../task-module/task-module.js';
import type { ModelContext } from '../task-module/task-module-types.js';
import type { TrialTask } from '../types.js';

export interface TrialModel {
  readonly model: tf.LayersModel;
  /** The optimizer that steps the weights; checkpoints save its state. */
  readonly optimizer: tf.Optimizer;
  /** tune compiled the model: it sets the learning rate each epoch, and the metrics are loss and accuracy. */
  readonly engineCompiled: boolean;
  /** The shape of a batch of `rows` inputs. */
  inputShape(rows: number): number[];
  /** Disposes the model and every optimizer tensor. */
  dispose(): void;
}

function modelInput(data: TrainingData): ModelInput {
  const xShape = data.train.xShape;
  const imageShape = data.imageShape ?? (xShape.length === 3 ? (xShape as [number, number, number]) : undefined);
  return { numFeatures: size(xShape), numClasses: size(data.train.yShape), ...(imageShape ? { imageShape } : {}) };
}

function compile(model: tf.LayersModel, hp: Hyperparams): tf.Optimizer {
  const optimizer = createOptimizer(hp);
  try {
    model.compile({ optimizer, loss: crossEntropy, metrics: ['accuracy'] });
    return optimizer;
  } catch (e) {
    disposeOptimizer(optimizer);
    throw e;
  }
}

function isLayersModel(v: unknown): v is tf.LayersModel {
  const m = v as Partial<Record<'compile' | 'fit' | 'evaluate' | 'layers', unknown>> | null;
  return typeof v === 'object' && m !== null && typeof m.compile === 'function' && typeof m.fit === 'function' && typeof m.evaluate === 'function' && Array.isArray(m.layers);
}

const showShape = (shape: readonly (number | null)[]): string => `[${shape.map((d) => d ?? 'null').join(', ')}]`;

/** One input and one output, matching the data's example shapes. */
function checkShapes(model: tf.LayersModel, data: TrainingData, label: string): void {
  const fail = (why: string): never => {
    throw new TaskModuleError(label, `buildModel() ${why}`);
  };
  let inputs: readonly tf.SymbolicTensor[];
  try {
    inputs = model.inputs; // an unbuilt Sequential throws here
  } catch {
    return fail('returned a model without an input shape: give its first layer { inputShape: ctx.inputShape }');
  }
  if (inputs.length !== 1 || model.outputs.length !== 1) fail(`returned a model with ${inputs.length} inputs and ${model.outputs.length} outputs; tune trains one of each`);
  const [x, y] = [inputs[0]!.shape.slice(1), model.outputs[0]!.shape.slice(1)];
  if (x.join() !== data.train.xShape.join()) fail(`returned a model whose inputs are ${showShape(x)}, but each example is ${showShape(data.train.xShape)} (ctx.inputShape)`);
  if (y.join() !== data.train.yShape.join()) fail(`returned a model whose outputs are ${showShape(y)}, but each target is ${showShape(data.train.yShape)} (ctx.outputShape)`);
}

/**
 * l2 on a module's model: the same penalty as the built-in models' kernel regularizer, added to every dense and
 * convolution kernel (weights named `…/kernel`) of a layer that has no regularizer of its own, nested models included.
 */
export function addL2(model: tf.LayersModel, l2: number): void {
  const regularizer = tf.regularizers.l2({ l2 });
  const visit = (layers: readonly tf.layers.Layer[]): void => {
    for (const layer of layers) {
      const inner = (layer as unknown as { layers?: unknown }).layers;
      if (Array.isArray(inner)) {
        visit(inner as tf.layers.Layer[]);
        continue;
      }
      if ((layer as unknown as { kernelRegularizer?: unknown }).kernelRegularizer != null) continue;
      for (const w of layer.trainableWeights) {
        if (w.originalName.endsWith('/kernel')) layer.addLoss(() => regularizer.apply(w.read()));
      }
    }
  };
  visit(model.layers);
}

async function moduleModel(module: LoadedModule, build: NonNullable<LoadedModule['buildModel']>, task: TrialTask, data: TrainingData, hp: Hyperparams): Promise<TrialModel> {
  const { imageShape } = modelInput(data);
  const ctx: ModelContext = { inputShape: [...data.train.xShape], outputShape: [...data.train.yShape], ...(imageShape ? { imageShape } : {}), seed: task.seed, task: task.task };
  const built = await callExport(module, 'buildModel', () => build(task.params, ctx));
  if (!isLayersModel(built)) {
    const got = built === null ? 'null' : typeof built === 'object' ? `an object without compile/fit/layers` : typeof built;
    throw new TaskModuleError(module.label, `buildModel() must return a tf.LayersModel (tf.sequential() or tf.model()), got ${got}`);
  }
  const model = built;
  try {
    checkShapes(model, data, module.label);
    const userOptimizer: tf.Optimizer | undefined = model.optimizer ?? undefined;
    if (userOptimizer === undefined && hp.l2 > 0) addL2(model, hp.l2);
    const optimizer = userOptimizer ?? compile(model, hp);
    // A model compiled with an optimizer's name owns it (model.dispose() frees it); one given an instance doesn't.
    const ownedByModel = userOptimizer !== undefined && (model as unknown as { isOptimizerOwned?: unknown }).isOptimizerOwned === true;
    return {
      model,
      optimizer,
      engineCompiled: userOptimizer === undefined,
      inputShape: (rows) => [rows, ...data.train.xShape],
      dispose: () => {
        model.dispose();
        if (!ownedByModel) disposeOptimizer(optimizer);
      },
    };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** The trial's model, compiled and ready to train. Throws (having disposed what it built) when it can't be. */
export async function createTrialModel(task: TrialTask, data: TrainingData, hp: Hyperparams, module?: LoadedModule): Promise<TrialModel> {
  if (module?.buildModel !== undefined) return moduleModel(module, module.buildModel, task, data, hp);
  const input = modelInput(data);
  const model = buildModel(task.task.model, input, hp, task.seed, task.params);
  let optimizer: tf.Optimizer;
  try {
    optimizer = compile(model, hp);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return {
    model,
    optimizer,
    engineCompiled: true,
    inputShape: (rows) => inputShape(task.task.model, input, rows),
    dispose: () => {
      model.dispose();
      disposeOptimizer(optimizer); // compile() takes no ownership of an optimizer instance
    },
  };
}

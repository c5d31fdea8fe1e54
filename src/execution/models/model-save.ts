/**
 * Worker side of `--keep-models`: snapshot a trial's weights when its value improves (reduce `best`), and write the
 * model at the end of the trial in tfjs's LayersModel format through our own `tf.io` save handler (plain
 * @tensorflow/tfjs has no `file://` handler in Node; tfjs-node's writes the same two files).
 */
import * as tf from '@tensorflow/tfjs';
import { isBetter } from '../../core/objective.js';
import { errorMessage } from '../failures.js';
import { KEPT_FILE, MODEL_JSON_FILE, MODEL_WEIGHTS_FILE, writeModelFolder, type KeepModelTask, type KeptModelInfo, type ModelKeeping } from './kept-models.js';
import { basename, dirname } from 'node:path';

type Json = tf.serialization.ConfigDictValue;

/**
 * The topology with tune's own layers replaced by stock ones that compute the same at inference: SeededDropout
 * (dropout with reproducible training masks) becomes tfjs's Dropout, which any tfjs (or Keras) loads unaided.
 */
export function portableTopology(topology: Json): Json {
  if (Array.isArray(topology)) return topology.map(portableTopology);
  if (typeof topology !== 'object' || topology === null) return topology;
  const node = topology as tf.serialization.ConfigDict;
  const out: tf.serialization.ConfigDict = {};
  for (const [k, v] of Object.entries(node)) out[k] = portableTopology(v);
  if (node['class_name'] === 'SeededDropout' && typeof out['config'] === 'object' && out['config'] !== null) {
    const { seed: _seed, ...config } = out['config'] as tf.serialization.ConfigDict;
    out['class_name'] = 'Dropout';
    out['config'] = config;
  }
  return out;
}

function weightChunks(data: tf.io.WeightData | undefined): Uint8Array[] {
  if (data === undefined) return [];
  return (Array.isArray(data) ? data : [data]).map((b) => new Uint8Array(b));
}

/** A `tf.io` save handler writing `model.json` + `weights.bin` (+ kept.json) as the folder `dir`, atomically. */
export function folderSaveHandler(dir: string, info: KeptModelInfo): tf.io.IOHandler {
  return {
    save: async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error('expected a layers model topology (JSON), got binary');
      const modelJson: tf.io.ModelJSON = {
        modelTopology: portableTopology(artifacts.modelTopology as Json) as object,
        weightsManifest: [{ paths: [MODEL_WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.format !== undefined ? { format: artifacts.format } : {}),
        ...(artifacts.generatedBy !== undefined ? { generatedBy: artifacts.generatedBy } : {}),
        ...(artifacts.convertedBy !== undefined ? { convertedBy: artifacts.convertedBy } : {}),
        ...(artifacts.userDefinedMetadata !== undefined ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      const text = (v: unknown): Uint8Array[] => [new TextEncoder().encode(`${JSON.stringify(v, null, 2)}\n`)];
      // kept.json last: a folder with it is whole (the rename makes all of it appear at once anyway).
      await writeModelFolder(dirname(dir), basename(dir), [[MODEL_WEIGHTS_FILE, weightChunks(artifacts.weightData)], [MODEL_JSON_FILE, text(modelJson)], [KEPT_FILE, text(info)]]);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  };
}

/**
 * Follows one trial's epochs and keeps its model: with reduce `last` the weights it ends with, with `best` a copy of
 * the weights of its best epoch, taken only when the value improves.
 */
export class ModelKeeper {
  private snapshot: tf.Tensor[] | undefined;
  private best: { epoch: number; value: number } | undefined;
  private last: { epoch: number; value: number } | undefined;

  constructor(private readonly keep: KeepModelTask, private readonly metric: string) {}

  /** After each epoch's evaluation, before the model trains on. */
  observe(model: tf.LayersModel, epoch: number, value: number): void {
    this.last = { epoch, value };
    if (this.keep.reduce !== 'best') return;
    const bar = this.best?.value ?? this.keep.bestBefore;
    if (!isBetter(value, bar, this.keep.direction)) return;
    tf.dispose(this.snapshot);
    this.snapshot = model.getWeights().map((w) => w.clone());
    this.best = { epoch, value };
  }

  /**
   * At the trial's end (after any checkpoint: the model's weights may be replaced by the best snapshot). `complete`
   * writes the model; a pause writes it only with reduce `best` (the best epoch may not come again after the
   * resume). Nothing to write (no epoch beat `bestBefore`) leaves an earlier kept model as it is.
   */
  async finish(model: tf.LayersModel, state: 'complete' | 'paused'): Promise<ModelKeeping | undefined> {
    try {
      const chosen = this.keep.reduce === 'best' ? this.best : state === 'complete' ? this.last : undefined;
      if (chosen === undefined) return undefined;
      if (this.keep.reduce === 'best' && this.snapshot !== undefined) model.setWeights(this.snapshot);
      const info: KeptModelInfo = { epoch: chosen.epoch, value: chosen.value, metric: this.metric, reduce: this.keep.reduce };
      await model.save(folderSaveHandler(this.keep.dir, info));
      return { kept: true, info };
    } catch (e) {
      return { kept: false, reason: errorMessage(e) };
    }
  }

  dispose(): void {
    tf.dispose(this.snapshot);
    this.snapshot = undefined;
  }
}

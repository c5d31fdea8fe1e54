/**
 * Loading a kept or exported model with plain @tensorflow/tfjs in Node: a `tf.io` load handler for a model.json
 * on disk (its weight files relative to it), and a `file://` route for `tf.loadLayersModel`. tfjs-node registers
 * its own `file://` route; where one exists already this one stays out of the way, so both load the same files.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';

const FILE_SCHEME = 'file://';

/** A load handler for the LayersModel at `modelJsonPath` (a model.json; its weights manifest names files beside it). */
export function fileLoadHandler(modelJsonPath: string): tf.io.IOHandler {
  return {
    load: async (): Promise<tf.io.ModelArtifacts> => {
      const modelJson = JSON.parse(await readFile(modelJsonPath, 'utf8')) as tf.io.ModelJSON;
      const folder = dirname(modelJsonPath);
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const path of group.paths) {
            const bytes = await readFile(join(folder, path));
            buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
          }
        }
        return [specs, tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}

/** `file:///abs/model.json` or `file://rel/model.json` → a file path (the relative form resolves against the working folder). */
function pathOf(url: string): string {
  return url.startsWith('file:///') ? fileURLToPath(url) : url.slice(FILE_SCHEME.length);
}

let registered = false;

/**
 * Makes `tf.loadLayersModel('file://DIR/trial-N/model.json')` work with plain @tensorflow/tfjs in Node. Idempotent;
 * does nothing where another `file://` loader (tfjs-node's) is registered already.
 */
export function registerFileModelLoader(): void {
  if (registered) return;
  registered = true;
  if (tf.io.getLoadHandlers(`${FILE_SCHEME}/probe/model.json`).length > 0) return;
  // tfjs's IORouter type says it returns a handler, but the registry skips a router that returns null (not its URL).
  const router = (url: string | string[]): tf.io.IOHandler | null => {
    const one = Array.isArray(url) ? (url.length === 1 ? url[0]! : undefined) : url;
    return one !== undefined && one.startsWith(FILE_SCHEME) ? fileLoadHandler(pathOf(one)) : null;
  };
  tf.io.registerLoadRouter(router as Parameters<typeof tf.io.registerLoadRouter>[0]);
}

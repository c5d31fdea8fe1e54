/**
 * `tfjs-tune/models`: load the models tune keeps and exports with plain @tensorflow/tfjs in Node. Importing it
 * registers a `file://` loader, so `tf.loadLayersModel('file://DIR/trial-N/model.json')` works (with tfjs-node,
 * whose own loader reads the same files, it changes nothing). Imports tfjs: keep it out of the main entry.
 */
import { registerFileModelLoader } from './model-load.js';

registerFileModelLoader();

export { fileLoadHandler, registerFileModelLoader } from './model-load.js';
export { folderSaveHandler, portableTopology } from './model-save.js';
export type { KeptModelInfo } from './kept-models.js';

/** In-memory data sets: typed arrays, row-major, no tensors (tensors are made per trial and disposed after). */
export interface LabelledData {
  /** `count × numFeatures` values. */
  readonly features: Float32Array;
  /** Class indices in `0 … numClasses-1`. */
  readonly labels: Int32Array;
  readonly count: number;
  readonly numFeatures: number;
  readonly numClasses: number;
  /** Class index → original label, e.g. '0'…'9' or 'setosa'. */
  readonly classNames: readonly string[];
  /** Set when rows are images (mnist): `[height, width, channels]`, so CNNs can reshape them. */
  readonly imageShape?: readonly [number, number, number];
}

/** A data set split into training and validation parts, ready to train on. */
export interface SplitData {
  readonly train: LabelledData;
  readonly validation: LabelledData;
}

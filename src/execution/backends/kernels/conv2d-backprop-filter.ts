/**
 * `Conv2DBackpropFilter` for the wasm backend, which lacks it (tfjs issue 8474), so CNNs can train on wasm.
 *
 * The filter gradient is itself a forward convolution: dW[kh,kw,ci,co] = Σ_{n,oh,ow} xpad[n, oh·s+kh, ow·s+kw, ci] · dy[n,oh,ow,co].
 * Read x transposed to [Cin,H,W,N] as a batch of Cin images with N channels, and dy transposed to [OH,OW,N,Cout] as
 * the filter; a stride-1 convolution at dilation = the forward stride then yields [Cin,KH,KW,Cout], which is transposed
 * back to [KH,KW,Cin,Cout]. Built from the wasm backend's own kernels, so no data leaves the wasm heap.
 */
import * as tf from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs, KernelBackend, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';

const BACKEND = 'wasm';
type Shape4 = [number, number, number, number];

function runKernel(name: string, backend: KernelBackend, inputs: NamedTensorInfoMap, attrs: NamedAttrMap): TensorInfo {
  const kernel = tf.getKernel(name, BACKEND);
  if (kernel === undefined) throw new Error(`kernel '${name}' is not registered for backend '${BACKEND}'`);
  const out = kernel.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`kernel '${name}' returned several outputs`);
  return out;
}

/** The padding the forward convolution used, and how far the dilated "filter" overshoots past the input's end. */
export function backpropFilterGeometry(xShape: Shape4, dyShape: Shape4, attrs: Conv2DBackpropFilterAttrs) {
  if (attrs.dataFormat === 'NCHW') throw new Error(`Conv2DBackpropFilter on wasm supports dataFormat NHWC only`);
  const info = tf.backend_util.computeConv2DInfo(xShape, attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const [, inH, inW] = xShape;
  const [, outH, outW] = dyShape;
  const [kh, kw] = attrs.filterShape;
  const { top, left } = info.padInfo;
  // Padding at the far end so the result is exactly kh×kw; negative when the forward pass never read the last rows.
  const bottom = kh + (outH - 1) * info.strideHeight - inH - top;
  const right = kw + (outW - 1) * info.strideWidth - inW - left;
  return { top, left, bottom, right, strideHeight: info.strideHeight, strideWidth: info.strideWidth };
}

export const conv2DBackpropFilterWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as KernelBackend;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as Conv2DBackpropFilterAttrs;
  const [kh, kw, cin, cout] = a.filterShape;
  const g = backpropFilterGeometry(x.shape as Shape4, dy.shape as Shape4, a);
  const temps: TensorInfo[] = [];
  try {
    const xT = runKernel('Transpose', b, { x }, { perm: [3, 1, 2, 0] }); // [Cin,H,W,N]
    temps.push(xT);
    const dyT = runKernel('Transpose', b, { x: dy }, { perm: [1, 2, 0, 3] }); // [OH,OW,N,Cout]
    temps.push(dyT);
    const pad = [[0, 0], [g.top, Math.max(0, g.bottom)], [g.left, Math.max(0, g.right)], [0, 0]];
    let grad = runKernel('Conv2D', b, { x: xT, filter: dyT }, { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [g.strideHeight, g.strideWidth] });
    if (grad.shape[1] !== kh || grad.shape[2] !== kw) {
      temps.push(grad); // crop what the forward pass never reached
      grad = runKernel('Slice', b, { x: grad }, { begin: [0, 0, 0, 0], size: [cin, kh, kw, cout] });
    }
    temps.push(grad);
    return runKernel('Transpose', b, { x: grad }, { perm: [1, 2, 0, 3] }); // [KH,KW,Cin,Cout]
  } finally {
    for (const t of temps) b.disposeData(t.dataId);
  }
};

/** Register the kernel for 'wasm' unless tfjs already has one (a later tfjs may add it). */
export function registerWasmConv2DBackpropFilter(): void {
  if (tf.getKernel('Conv2DBackpropFilter', BACKEND) !== undefined) return;
  tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: BACKEND, kernelFunc: conv2DBackpropFilterWasm });
}

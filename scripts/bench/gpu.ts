/**
 * GPU throughput: the mnist MLP and CNN run as tune trials on webgpu with 1, 2 and 4 workers, against wasm on the
 * same machine. Samples/s are summed over the workers and include each epoch's validation and its round trip to the
 * tuner, as in a sweep. `scripts/gpu-check.sh` runs it; alone:
 *   npx tsx scripts/bench/gpu.ts [--software] [--workers 1,2,4] [--models mlp,cnn] [--backends webgpu,wasm]
 *                                [--samples N] [--epochs 2] [--batch 64]
 * Without --software it fails when Dawn offers only a software adapter, because then the GPU is not in use.
 */
import { parseArgs } from 'node:util';
import { createTrialRunner } from '../../src/execution/index.js';
import type { BackendInfo, BackendName, TrialRunner, TrialTask } from '../../src/execution/types.js';
import type { ModelSpec } from '../../src/space/types.js';

const { values } = parseArgs({
  options: {
    software: { type: 'boolean', default: false },
    workers: { type: 'string', default: '1,2,4' },
    models: { type: 'string', default: 'mlp,cnn' },
    backends: { type: 'string', default: 'webgpu,wasm' },
    samples: { type: 'string' },
    epochs: { type: 'string', default: '2' },
    batch: { type: 'string', default: '64' },
  },
});
const list = (s: string): string[] => s.split(',').map((x) => x.trim()).filter(Boolean);
const WORKERS = list(values.workers).map(Number);
const EPOCHS = Number(values.epochs);
const BATCH = Number(values.batch);
const BACKENDS = list(values.backends) as BackendName[];
const MODELS: Record<string, { spec: ModelSpec; samples: number }> = {
  // llvmpipe is ~20× slower than a GPU: --software keeps the check short.
  mlp: { spec: { type: 'mlp', hidden: [128, 64] }, samples: values.software ? 2000 : 10000 },
  cnn: { spec: { type: 'cnn', filters: [8, 16], kernelSize: 5, hidden: [64] }, samples: values.software ? 600 : 5000 },
};
const models = list(values.models).map((m) => {
  const model = MODELS[m];
  if (model === undefined) throw new Error(`unknown model '${m}'; expected mlp or cnn`);
  return { name: m, ...model, samples: values.samples === undefined ? model.samples : Number(values.samples) };
});

let trialId = 0;
function trial(spec: ModelSpec, samples: number, budget: number): TrialTask {
  return {
    trialId: ++trialId,
    params: { batchSize: BATCH, learningRate: 0.001 },
    task: { data: { builtin: 'mnist', limit: samples }, validationSplit: 0.2, model: spec, optimizer: 'adam', epochs: budget },
    budget,
    seed: 1,
    splitSeed: 1,
    metric: 'val_accuracy',
  };
}

/** `workers` identical trials at once: a 1-epoch warm-up (data, shader compilation), then the timed run. */
async function measure(runner: TrialRunner, workers: number, spec: ModelSpec, samples: number): Promise<number> {
  const all = async (budget: number): Promise<void> => {
    const outcomes = await Promise.all(Array.from({ length: workers }, () => runner.run(trial(spec, samples, budget), async () => 'continue')));
    const bad = outcomes.find((o) => o.state !== 'complete');
    if (bad) throw new Error(`a trial ended ${bad.state}: ${bad.error?.message}`);
  };
  await all(1);
  const t0 = performance.now();
  await all(EPOCHS);
  const trainRows = samples - Math.round(samples * 0.2);
  return (workers * trainRows * EPOCHS) / ((performance.now() - t0) / 1000);
}

function checkAdapter(info: BackendInfo): void {
  console.log(`webgpu adapter: ${info.adapter ?? '?'} · driver: ${info.driver ?? '?'} · software: ${info.softwareAdapter}`);
  if (info.backend !== 'webgpu') throw new Error(`webgpu did not start (${info.warnings.join('; ')})`);
  if (info.softwareAdapter === true && !values.software) {
    throw new Error(
      'Dawn offers only a software adapter, so the GPU is not in use. Check that libvulkan.so.1 and the driver\'s Vulkan ICD ' +
        '(/usr/share/vulkan/icd.d/nvidia_icd.json) are present and, in a container, NVIDIA_DRIVER_CAPABILITIES includes graphics; ' +
        'or pass --software to measure the software adapter.',
    );
  }
}

const rates = new Map<string, number>();
const key = (backend: string, model: string, workers: number): string => `${backend}/${model}/${workers}`;
const fmt = (n: number | undefined): string => (n === undefined ? '-' : Math.round(n).toString()).padStart(9);

async function main(): Promise<void> {
  console.log(`mnist, ${EPOCHS} timed epochs after a 1-epoch warm-up, batch ${BATCH}, adam; samples/s summed over workers`);
  let checked = false;
  for (const backend of BACKENDS) {
    for (const workers of WORKERS) {
      const runner = await createTrialRunner({ workers, backend });
      try {
        if (backend === 'webgpu' && !checked) {
          checkAdapter(runner.info);
          checked = true;
        }
        if (runner.info.backend !== backend) throw new Error(`asked for ${backend}, got ${runner.info.backend}: ${runner.info.warnings.join('; ')}`);
        for (const m of models) {
          const rate = await measure(runner, workers, m.spec, m.samples);
          rates.set(key(backend, m.name, workers), rate);
          console.log(`  ${backend.padEnd(7)} ${m.name} (${m.samples} rows) × ${workers} worker(s): ${Math.round(rate)} samples/s`);
        }
      } finally {
        await runner.close();
      }
    }
  }
  const [gpu, base] = [BACKENDS[0] ?? 'webgpu', BACKENDS[1]];
  console.log(`\nmodel  workers ${gpu.padStart(9)} ${(base ?? '').padStart(9)}  ratio`);
  for (const m of models) {
    for (const w of WORKERS) {
      const g = rates.get(key(gpu, m.name, w));
      const b = base === undefined ? undefined : rates.get(key(base, m.name, w));
      const ratio = g !== undefined && b !== undefined ? `${(g / b).toFixed(2)}×` : '-';
      console.log(`${m.name.padEnd(6)} ${String(w).padStart(7)} ${fmt(g)} ${fmt(b)}  ${ratio}`);
    }
  }
}

await main();

import type { SweepEvent } from '../engine/index.js';
import { formatDuration, formatNumber, formatParams } from './format/values.js';

type Write = (line: string) => void;

/** Turns sweep events into one line each: trial starts, per-epoch scores, outcomes with a running summary. */
export function progressPrinter(write: Write, metric: string): (event: SweepEvent) => void {
  const budget = new Map<number, number>();
  return (event) => {
    switch (event.type) {
      case 'start': {
        const { study, backend, workers, maxTrials, existing } = event;
        write(
          `study ${study.name}: ${study.strategy}, ${maxTrials} trials, ${metric} (${study.direction})` +
            ` · backend ${backend.backend} · ${workers} worker${workers === 1 ? '' : 's'}` +
            (existing > 0 ? ` · continuing with ${existing} stored trials` : ''),
        );
        if (backend.adapter !== undefined) {
          const software = backend.softwareAdapter === true ? ' (a software adapter: CPU speed, for testing)' : '';
          write(`gpu: ${backend.adapter} · ${backend.driver ?? 'unknown driver'}${software}`);
        }
        if (backend.gpuConcurrency !== undefined) {
          const rest = backend.overflow ? `${backend.overflow.workers} ${backend.overflow.backend} worker(s) take the rest` : 'further trials wait for a slot';
          write(`gpu concurrency ${backend.gpuConcurrency} · ${rest}`);
        }
        for (const w of backend.warnings) write(`warning: ${w}`);
        break;
      }
      case 'recovered': {
        const requeued = event.trials.filter((t) => t.state === 'waiting').length;
        const failed = event.trials.length - requeued;
        if (requeued > 0) write(`${requeued} trial(s) left running by a tuner that stopped are queued to run again`);
        if (failed > 0) write(`${failed} trial(s) left running by a tuner that stopped were marked failed (interrupted)`);
        break;
      }
      case 'trial-start':
        budget.set(event.trial.id, event.trial.budget);
        write(`#${event.trial.number} start    ${formatParams(event.trial.params)}`);
        break;
      case 'epoch': {
        const m = event.metrics;
        const rest = Object.keys(m)
          .filter((k) => k !== metric)
          .map((k) => `${k}=${formatNumber(m[k]!)}`)
          .join(' ');
        write(`#${event.trial.number} epoch ${event.epoch}/${budget.get(event.trial.id) ?? '?'}  ${metric}=${formatNumber(event.value)}  ${rest}`);
        break;
      }
      case 'warning':
        write(`warning: ${event.message}`);
        break;
      case 'trial-end': {
        const { trial, progress } = event;
        budget.delete(trial.id);
        const what =
          trial.state === 'failed'
            ? `failed (${trial.error?.kind ?? 'unknown'}): ${trial.error?.message ?? ''}`
            : `${trial.state}  ${metric}=${formatNumber(trial.value)} after ${trial.epochs} epoch${trial.epochs === 1 ? '' : 's'}` +
              (trial.state === 'paused' && trial.epochs < trial.budget ? ' (checkpointed; resumes next run)' : '');
        const best = progress.best === null ? 'none yet' : `${formatNumber(progress.best.value)} (#${progress.best.number})`;
        write(
          `#${trial.number} ${what}  [${progress.finished}/${progress.maxTrials} done, ${progress.running} running, best ${best}, ${formatDuration(progress.elapsedMs)}]`,
        );
        break;
      }
    }
  };
}

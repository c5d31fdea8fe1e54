import type { StopController } from '../engine/index.js';

/**
 * First Ctrl-C (or SIGTERM): stop dispatching and pause running trials at their next epoch. Second: abort at
 * once; the trials are requeued for the next run. Returns a function that removes the handlers.
 */
export function handleSignals(stop: StopController, say: (line: string) => void, resumeHint: string): () => void {
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    if (!stop.stopping) {
      say(`\n${signal}: no new trials; running trials pause at their next epoch. ${signal === 'SIGINT' ? 'Ctrl-C again' : 'Send it again'} to stop at once.`);
      stop.stop(signal);
    } else {
      say(`\n${signal} again: stopping now; running trials are queued to run again. Resume with: ${resumeHint}`);
      stop.abort(signal);
    }
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return () => {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  };
}

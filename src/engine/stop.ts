export type StopReason = 'SIGINT' | 'SIGTERM' | 'deadline' | 'max-failures';

/**
 * How a sweep winds down. `stop()` ends new dispatches and asks running trials to pause at their next epoch
 * boundary (with a checkpoint), as the first Ctrl-C does. `abort()` ends them at once, as the second does;
 * their trials are requeued so a resume runs them again.
 */
export class StopController {
  reason: StopReason | null = null;
  aborted = false;
  private readonly listeners = new Set<() => void>();

  get stopping(): boolean {
    return this.reason !== null;
  }

  stop(reason: StopReason): void {
    this.reason ??= reason;
    this.notify();
  }

  abort(reason: StopReason): void {
    this.reason ??= reason;
    this.aborted = true;
    this.notify();
  }

  /** Called on every stop or abort; returns a function that unsubscribes. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }
}

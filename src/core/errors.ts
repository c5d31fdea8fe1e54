/**
 * The error hierarchy. `exitCode` is what the CLI exits with: 2 for bad input or usage, 1 for runtime failure.
 * `code` says what went wrong as data, so callers branch on it rather than on a message's words.
 */

/** Every `TuneError.code`. Append only: API users may branch on these. */
export const ERROR_CODES = [
  'error',
  'input',
  'usage',
  'storage',
  'conflict',
  'execution',
  'backend-not-installed',
  /** A worker ran out of memory (its resourceLimits) before it could run a trial. */
  'worker-out-of-memory',
  'task-module',
  'study-mismatch',
  /** A stored space that this version can't read back (`tune resume`). */
  'stored-space',
  'ask',
  'stopped',
  /** A write from a tuner that no longer holds the trial (its lease expired and it was requeued or re-claimed). */
  'lease-lost',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface TuneErrorOptions extends ErrorOptions {
  /** Overrides the class's own code, for a failure more specific than its class. */
  readonly code?: ErrorCode;
}

/** The one way tune turns something thrown into words. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class TuneError extends Error {
  /** The code of errors of this class unless the thrower gives another. */
  static readonly defaultCode: ErrorCode = 'error';
  readonly exitCode: number = 1;
  readonly code: ErrorCode;
  constructor(message: string, options?: TuneErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = options?.code ?? new.target.defaultCode;
  }
}

/** One problem found in an input, located by file and field path (zod-style: data, not prose). */
export interface InputIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export function formatPath(path: readonly (string | number)[]): string {
  if (path.length === 0) return '(root)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** Bad user input: a space file, a CLI flag, a data file. */
export class InputError extends TuneError {
  static override readonly defaultCode: ErrorCode = 'input';
  override readonly exitCode = 2;
  constructor(
    readonly file: string,
    readonly issues: readonly InputIssue[],
    options?: TuneErrorOptions,
  ) {
    super(
      `${file}: ${issues.length === 1 ? 'invalid input' : `${issues.length} problems`}\n` +
        issues.map((i) => `  at ${formatPath(i.path)}: ${i.message}`).join('\n'),
      options,
    );
  }
}

export class UsageError extends TuneError {
  static override readonly defaultCode: ErrorCode = 'usage';
  override readonly exitCode = 2;
}

export class StorageError extends TuneError {
  static override readonly defaultCode: ErrorCode = 'storage';
}
/** Someone else got there first: a trial key already taken, a trial no longer paused. Refresh and ask again. */
export class ConflictError extends StorageError {
  static override readonly defaultCode: ErrorCode = 'conflict';
}
/**
 * A fenced write (report, finish, requeue) from a tuner that no longer holds the trial: its lease expired and another
 * tuner requeued or re-claimed it (a paused VM waking up, a SIGSTOPped process continued). Nothing was changed.
 */
export class LeaseLostError extends ConflictError {
  static override readonly defaultCode: ErrorCode = 'lease-lost';
}
export class ExecutionError extends TuneError {
  static override readonly defaultCode: ErrorCode = 'execution';
}
export class StudyMismatchError extends TuneError {
  static override readonly defaultCode: ErrorCode = 'study-mismatch';
  override readonly exitCode = 2;
}

/** A study's stored space that this version can't use (`tune resume`): bad input, as a space file would be. */
export class StoredSpaceError extends TuneError {
  static override readonly defaultCode: ErrorCode = 'stored-space';
  override readonly exitCode = 2;
}

/** A fault of a task module (the user's own code). The message always starts with "task module <path>". */
export class TaskModuleError extends TuneError {
  static override readonly defaultCode: ErrorCode = 'task-module';
  constructor(module: string, what: string, options?: TuneErrorOptions) {
    super(`task module ${module}: ${what}`, options);
  }
}

/** The error hierarchy. `exitCode` is what the CLI exits with: 2 for bad input or usage, 1 for runtime failure. */
export class TuneError extends Error {
  readonly exitCode: number = 1;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
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
  override readonly exitCode = 2;
  constructor(
    readonly file: string,
    readonly issues: readonly InputIssue[],
  ) {
    super(
      `${file}: ${issues.length === 1 ? 'invalid input' : `${issues.length} problems`}\n` +
        issues.map((i) => `  at ${formatPath(i.path)}: ${i.message}`).join('\n'),
    );
  }
}

export class UsageError extends TuneError {
  override readonly exitCode = 2;
}

export class StorageError extends TuneError {}
/** Someone else got there first: a trial key already taken, a trial no longer paused. Refresh and ask again. */
export class ConflictError extends StorageError {}
export class ExecutionError extends TuneError {}
export class StudyMismatchError extends TuneError {
  override readonly exitCode = 2;
}

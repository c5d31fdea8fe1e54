/** What yargs passes a middleware as its second argument (@types/yargs leaves it out): the current command's options. */
interface ParsingYargs {
  getOptions(): { readonly key: Record<string, unknown>; readonly alias: Record<string, readonly string[]> };
}

export const ENV_PREFIX = 'TUNE';

const kebab = (snake: string) => snake.replace(/_/g, '-');
const camel = (snake: string) => snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * `.env('TUNE')` sets a flag from every TUNE_* variable, and strict mode then refuses the ones the command has no
 * flag for: TUNE_WORKERS would break `tune studies`, and another program's TUNE_HOME every command. This middleware,
 * run before validation, drops what came from such variables, so each command takes the TUNE_* flags it knows.
 * A flag typed on the command line is never dropped: strict mode still reports it if it is unknown.
 */
export function ignoreForeignEnv(env: NodeJS.ProcessEnv, commandLine: readonly string[]) {
  const typed = new Set(commandLine.filter((a) => a.startsWith('-')).map((a) => a.replace(/^-+/, '').split('=')[0]!));
  const names = Object.keys(env)
    .filter((k) => k.startsWith(`${ENV_PREFIX}_`))
    .map((k) => k.slice(ENV_PREFIX.length + 1).toLowerCase());
  return (argv: Record<string, unknown>, yargs?: unknown): void => {
    if (yargs === undefined) return;
    const options = (yargs as ParsingYargs).getOptions();
    const known = options.key;
    const aliases = new Set(Object.values(options.alias).flat());
    for (const snake of names) {
      const forms = [kebab(snake), camel(snake), snake];
      if (forms.some((f) => f in known || aliases.has(f) || typed.has(f))) continue;
      for (const f of forms) delete argv[f];
    }
  };
}

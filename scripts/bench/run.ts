/** `npm run bench -- <name> [args]` runs scripts/bench/<name>.ts with the remaining arguments. */
import { readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [name, ...rest] = process.argv.slice(2);
const dir = new URL('./', import.meta.url);
const known = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'run.ts').map((f) => f.replace(/\.ts$/, ''));
if (name === undefined || !known.includes(name)) {
  process.stderr.write(`usage: npm run bench -- <name> [args]\nbenchmarks: ${known.join(', ')}\n`);
  process.exit(2);
}
process.argv = [process.argv[0]!, process.argv[1]!, ...rest];
await import(pathToFileURL(new URL(`./${name}.ts`, dir).pathname).href);

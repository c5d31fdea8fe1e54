import type { Argv, ArgumentsCamelCase } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { startDashboard } from '../../dashboard/index.js';
import { isLoopback } from '../../dashboard/hosts.js';
import { liveReportData } from '../../dashboard/live-data.js';
import { renderPage } from '../../report/index.js';
import { withStorage } from '../options.js';
import { withReadOnlyStorage } from '../read-storage.js';
import { redactUrl } from '../../storage/index.js';

export const command = 'dashboard';
export const describe = 'Serve a live, read-only dashboard of every study in a database (the report views, updated as sweeps run)';

export function builder(y: Argv) {
  return withStorage(y)
    .option('port', { type: 'number', default: 8080, describe: 'Port to listen on (0: any free port)' })
    .option('host', {
      type: 'string',
      default: '127.0.0.1',
      describe: 'Address to listen on. The default, loopback, keeps it to this machine; any other address shows your studies to whoever can reach it (there is no login)',
    })
    .check((a) => {
      if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535) throw new UsageError(`--port: expected a whole number from 0 to 65535, got ${a.port}`);
      if (a.host.trim() === '') throw new UsageError('--host: expected an address or host name, got an empty string');
      return true;
    })
    .example('$0 dashboard', 'serve results/tune.db at http://127.0.0.1:8080/')
    .example('$0 dashboard --storage sweeps.db --port 9000', 'another database and port');
}

type Args = ArgumentsCamelCase<Awaited<ReturnType<typeof builder>['argv']>>;

export async function handler(args: Args): Promise<void> {
  await withReadOnlyStorage(args.storage, async (storage) => {
    if (!isLoopback(args.host)) {
      process.stderr.write(
        `tune dashboard: warning: listening on ${args.host}, not loopback: anyone who can reach this machine on port ${args.port} ` +
          'can read every study in the file (there is no login). Stop with Ctrl-C if that is not what you want.\n',
      );
    }
    const dashboard = await startDashboard({
      storage,
      file: redactUrl(args.storage),
      host: args.host,
      port: args.port,
      renderPage: async (dataSource, study) => renderPage({ dataSource, title: `${study.name} · tune dashboard` }),
      buildData: liveReportData(),
    });
    process.stdout.write(`tune dashboard: serving ${redactUrl(args.storage)} (read-only) at ${dashboard.url}\nPress Ctrl-C to stop.\n`);
    await untilSignal();
    await dashboard.close();
    process.stdout.write('tune dashboard: stopped\n');
  });
}

/** Resolves on the first Ctrl-C (SIGINT) or SIGTERM, and removes its handlers. */
function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

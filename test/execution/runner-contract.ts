/**
 * The TrialRunner contract (src/execution/types.ts): every runner, the pool, the GPU lanes and the test fake, runs
 * this same suite. Few, fast cases: each trial is a few epochs of a tiny task.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FAILURE_KINDS, type Decision, type Metrics } from '../../src/core/types.js';
import { BACKENDS, type ExecutionOutcome, type OnEpoch, type TrialRunner, type TrialTask } from '../../src/execution/types.js';

export interface RunnerUnderTest {
  readonly runner: TrialRunner;
  /** A trial that reports `budget` epochs, each with its metric among the metrics, and completes. */
  steps(budget: number): TrialTask;
  /** A trial whose own code throws before it finishes. */
  throwing(): TrialTask;
}

/** Records every epoch, answering `decide(epoch)`. */
function recorder(decide: (epoch: number) => Decision | Promise<Decision> = () => 'continue') {
  const seen: [number, Metrics][] = [];
  const onEpoch: OnEpoch = async (epoch, metrics) => {
    seen.push([epoch, metrics]);
    return decide(epoch);
  };
  return { seen, onEpoch };
}

const epochsOf = (seen: readonly [number, Metrics][]) => seen.map(([e]) => e);

function assertFailed(o: ExecutionOutcome, kind: string, what: string): void {
  assert.equal(o.state, 'failed', `${what}: ${JSON.stringify(o)}`);
  assert.ok(o.error !== undefined && FAILURE_KINDS.includes(o.error.kind), `${what}: a failure kind, got ${JSON.stringify(o.error)}`);
  assert.equal(o.error.kind, kind, `${what}: ${o.error.message}`);
  assert.ok(o.error.message.length > 0);
}

/** Registers the contract tests for one runner. `make` starts it; the suite closes it in its last test. */
export function runnerContract(name: string, make: () => Promise<RunnerUnderTest>): void {
  describe(`TrialRunner contract: ${name}`, () => {
    let r: RunnerUnderTest;
    before(async () => {
      r = await make();
    });
    after(async () => {
      await r.runner.close();
    });

    test('info names a backend; a trial reports epochs 1, 2, 3 and completes with the last value of its metric', async () => {
      assert.ok((BACKENDS as readonly string[]).includes(r.runner.info.backend) && (r.runner.info.backend as string) !== 'auto', r.runner.info.backend);
      assert.ok(Array.isArray(r.runner.info.warnings));
      const task = r.steps(3);
      const { seen, onEpoch } = recorder();
      const o = await r.runner.run(task, onEpoch);
      assert.deepEqual(epochsOf(seen), [1, 2, 3]);
      assert.equal(o.state, 'complete', JSON.stringify(o));
      assert.equal(o.epochs, 3);
      assert.equal(o.value, seen[2]![1][task.metric]);
      assert.equal(o.error, undefined);
      assert.equal(o.checkpoint, undefined, 'nothing asked for a checkpoint');
    });

    test("'stop' prunes the trial at that epoch; 'pause' without a checkpointDir pauses it with no checkpoint", async () => {
      const stop = recorder((e) => (e === 1 ? 'stop' : 'continue'));
      const pruned = await r.runner.run(r.steps(4), stop.onEpoch);
      assert.deepEqual(epochsOf(stop.seen), [1]);
      assert.equal(pruned.state, 'pruned');
      assert.equal(pruned.epochs, 1);
      assert.equal(typeof pruned.value, 'number');
      const pause = recorder((e) => (e === 2 ? 'pause' : 'continue'));
      const paused = await r.runner.run(r.steps(4), pause.onEpoch);
      assert.deepEqual(epochsOf(pause.seen), [1, 2]);
      assert.equal(paused.state, 'paused');
      assert.equal(paused.epochs, 2);
      assert.equal(paused.checkpoint, undefined);
    });

    test('a throwing trial resolves as failed with a kind, and the runner runs the next trial', async () => {
      assertFailed(await r.runner.run(r.throwing(), recorder().onEpoch), 'exception', 'a throwing trial');
      assert.equal((await r.runner.run(r.steps(2), recorder().onEpoch)).state, 'complete');
    });

    test('an abort: before the start nothing runs; during a trial it ends failed (interrupted, or timeout for a TimeoutError)', async () => {
      const early = recorder();
      assertFailed(await r.runner.run(r.steps(3), early.onEpoch, AbortSignal.abort(new Error('not now'))), 'interrupted', 'aborted before the start');
      assert.deepEqual(early.seen, []);
      for (const [reason, kind] of [[new Error('Ctrl-C'), 'interrupted'], [new DOMException('too slow', 'TimeoutError'), 'timeout']] as const) {
        const ac = new AbortController();
        const { seen, onEpoch } = recorder((e) => {
          if (e === 1) ac.abort(reason);
          return 'continue';
        });
        const o = await r.runner.run(r.steps(6), onEpoch, ac.signal);
        assertFailed(o, kind, `aborted with ${reason.name}`);
        assert.ok(o.epochs >= 1 && o.epochs < 6, `${o.epochs} epochs`);
        assert.ok(seen.length < 6);
      }
      assert.equal((await r.runner.run(r.steps(2), recorder().onEpoch)).state, 'complete', 'usable after aborts');
    });

    test('an onEpoch that throws stops the trial and rejects run() with its error; the runner goes on', async () => {
      const boom = new Error('the caller broke');
      const { seen, onEpoch } = recorder((e) => {
        if (e === 2) throw boom;
        return 'continue';
      });
      await assert.rejects(r.runner.run(r.steps(5), onEpoch), (e: unknown) => e === boom);
      assert.deepEqual(epochsOf(seen), [1, 2], 'no epoch after the throw');
      assert.equal((await r.runner.run(r.steps(2), recorder().onEpoch)).state, 'complete');
    });

    test('trials beyond its workers wait their turn; each gets its own epochs and outcome', async () => {
      const budgets = [2, 3, 1, 2];
      const runs = budgets.map((b) => {
        const rec = recorder();
        return r.runner.run(r.steps(b), rec.onEpoch).then((o) => ({ o, seen: epochsOf(rec.seen) }));
      });
      const done = await Promise.all(runs);
      done.forEach(({ o, seen }, i) => {
        assert.equal(o.state, 'complete');
        assert.equal(o.epochs, budgets[i]);
        assert.deepEqual(seen, Array.from({ length: budgets[i]! }, (_, k) => k + 1));
      });
    });

    test('close() ends a trial in flight as failed (interrupted), is idempotent, and run() after it rejects', async () => {
      let closing: Promise<void> | undefined;
      const inFlight = r.runner.run(r.steps(50), async () => {
        closing ??= r.runner.close();
        return 'continue';
      });
      const o = await inFlight;
      assertFailed(o, 'interrupted', 'a trial in flight at close()');
      assert.ok(o.epochs < 50);
      await closing;
      await r.runner.close();
      await Promise.all([r.runner.close(), r.runner.close()]);
      await assert.rejects(r.runner.run(r.steps(1), recorder().onEpoch));
    });
  });
}

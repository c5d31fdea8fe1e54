/**
 * The leaderboard's ORDER BY, one rule for both storages; each passes its own placeholders (SQLite's named
 * parameters, PostgreSQL's positional ones). Standard SQL: the correlated subquery runs on both as it is.
 *
 * Leaderboard order (multi-fidelity aware):
 *  1. failed trials last;
 *  2. then the furthest trained first: epochs DESC, then rung DESC (no rung ranks lowest), so a trial that reached
 *     a larger budget outranks a better value measured at a smaller one;
 *  3. then complete before every other state (pruned, paused, running, waiting rank alike);
 *  4. then the value in the study's direction: finite (and ±inf) before NaN, NaN before no value;
 *  5. equal values by the tie-break metric (`tieMetric`: val_loss for val_accuracy, loss for accuracy, NULL for
 *     others), lower first, at the epoch that gave the trial its value: its last epoch (`reduce` 'last'), or for
 *     'best' the epochs whose objective equals its value (the lowest loss of them). No such report ranks last;
 *  6. then by trial number.
 * When all trials share their epochs and rung (a plain random or grid sweep) this is the order it always was:
 * complete by value, then the rest, failed last.
 */
export function leaderboardOrder(p: { readonly tieMetric: string; readonly reduce: string }): string {
  return `
  CASE WHEN t.state = 'failed' THEN 1 ELSE 0 END,
  t.epochs DESC,
  t.rung DESC NULLS LAST,
  CASE WHEN t.state = 'complete' THEN 0 ELSE 1 END,
  CASE WHEN t.value_kind IS NULL THEN 2 WHEN t.value_kind = 'nan' THEN 1 ELSE 0 END,
  CASE WHEN s.direction = 'maximize' THEN -t.value ELSE t.value END,
  (SELECT min(l.value) FROM reports l
   WHERE l.trial_id = t.id AND l.metric = ${p.tieMetric}
     AND l.epoch IN (SELECT o.epoch FROM reports o
                     WHERE o.trial_id = t.id AND o.metric = s.metric AND o.value = t.value
                       AND (${p.reduce} = 'best' OR o.epoch = t.epochs))) ASC NULLS LAST,
  t.number`;
}

/**
 * Which trial a createTrial stores once the study's next number is known (`NewTrial.numbers`), written once for both
 * storages: SQLite runs it in its transaction; PostgreSQL's `tune_create_trial` does the same with the arrays
 * `windowArgs` makes (functions.ts).
 */
import type { Params } from '../core/types.js';
import type { NewTrial } from './types.js';

/** The key of a trial keyed by its number (`NumberWindow.keyByNumber`). */
export const numberKey = (number: number): string => `#${number}`;

/** The trial as stored at number `next`: its seed, params and key; null when `next` is outside its window. */
export function atNumber(trial: NewTrial, next: number): { seed: number; params: Params; key: string | undefined } | null {
  const w = trial.numbers;
  if (w === undefined) return { seed: trial.seed, params: trial.params, key: trial.key };
  const entry = w.at[next - w.first];
  if (entry === undefined) return null;
  return { seed: entry.seed, params: entry.params ?? trial.params, key: w.keyByNumber ? numberKey(next) : trial.key };
}

/** The message of a window's miss: the study's next number is past what this creator offered. */
export function outsideWindow(study: string, trial: NewTrial, next: number): string {
  const w = trial.numbers!;
  return `study "${study}" moved on: its next trial number is ${next}, and this creator offered ${w.first}…${w.first + w.at.length - 1} (its view is behind)`;
}

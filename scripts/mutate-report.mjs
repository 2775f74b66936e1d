// The report of `npm run mutate`: reads each shard's Stryker JSON report
// (reports/mutation/<shard>/mutation.json) and prints the score per file and in all, then every
// mutant that survived or that no test reaches, unless scripts/mutate-reviewed.json explains it.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const UNDETECTED = new Set(['Survived', 'NoCoverage']);
// RuntimeError: the mutant made test files fail to load (vitest.stryker.config.ts reports
// that as an error of the run), which fails the suite as surely as a failing test.
const DETECTED = new Set(['Killed', 'Timeout', 'RuntimeError']);

/** The code a mutant replaces: its first line, with "…" when the range goes on. */
export function originalOf(source, { start, end }) {
  const lines = source.split('\n');
  const first = lines[start.line - 1] ?? '';
  const text =
    start.line === end.line
      ? first.slice(start.column - 1, end.column - 1)
      : first.slice(start.column - 1);
  return start.line === end.line ? text.trim() : `${text.trim()} …`;
}

function firstLine(text) {
  const [line, ...rest] = text.split('\n');
  return rest.length > 0 ? `${line.trim()} …` : line.trim();
}

/** The source line a mutant starts on, trimmed. */
function lineOf(source, { start }) {
  return (source.split('\n')[start.line - 1] ?? '').trim();
}

/**
 * The identity of a mutant that a review entry names: the code it replaces and the whole line
 * it is on, so an entry holds when lines move and lapses when that line is edited.
 */
function keyOf(file, mutator, line, original, replacement) {
  return JSON.stringify([file, mutator, line, original, replacement]);
}

function loadReviewed(root) {
  const path = join(root, 'scripts', 'mutate-reviewed.json');
  if (!existsSync(path)) return [];
  const entries = JSON.parse(readFileSync(path, 'utf8'));
  for (const [i, e] of entries.entries()) {
    for (const field of ['file', 'mutator', 'line', 'original', 'replacement', 'why']) {
      if (typeof e[field] !== 'string' || e[field] === '') {
        throw new Error(`scripts/mutate-reviewed.json: entry ${i} needs a non-empty "${field}"`);
      }
    }
  }
  return entries;
}

/**
 * A shard's results by file: its Stryker JSON report, or, while a run of it is under way or
 * after one was stopped, the mutants tested so far (live.ndjson), marked partial.
 */
function shardResults(root, shard) {
  const dir = join(root, 'reports', 'mutation', shard);
  const json = join(dir, 'mutation.json');
  const live = join(dir, 'live.ndjson');
  const done = existsSync(json);
  if (done && !(existsSync(live) && statSync(live).mtimeMs > statSync(json).mtimeMs + 1000)) {
    return JSON.parse(readFileSync(json, 'utf8')).files;
  }
  if (!existsSync(live)) return undefined;
  const files = {};
  for (const line of readFileSync(live, 'utf8').split('\n')) {
    if (line === '') continue;
    const m = JSON.parse(line);
    // The reporter writes each file's source before the first of its mutants.
    if (m.source !== undefined) files[m.file] = { source: m.source, mutants: [] };
    else files[m.file].mutants.push(m);
  }
  Object.defineProperty(files, 'partial', { value: true, enumerable: false });
  return files;
}

function pct(detected, valid) {
  return valid === 0 ? 'n/a' : `${((100 * detected) / valid).toFixed(2)}%`;
}

/** Prints the report; returns true when every shard has a result and every survivor is reviewed. */
export function report(root, shardNames) {
  const reviewed = loadReviewed(root);
  const reviewByKey = new Map(
    reviewed.map((e) => [keyOf(e.file, e.mutator, e.line, e.original, e.replacement), e]),
  );
  const used = new Set();
  const missing = [];
  const rows = [];
  const unreviewed = [];
  let reviewedCount = 0;
  const total = { detected: 0, valid: 0, ignored: 0, errors: 0, count: 0 };
  const partial = [];
  for (const shard of shardNames) {
    const files = shardResults(root, shard);
    if (files === undefined) {
      missing.push(shard);
      continue;
    }
    if (files.partial) partial.push(shard);
    for (const [file, { source, mutants }] of Object.entries(files)) {
      const row = { file, shard, detected: 0, valid: 0, survived: 0, noCoverage: 0, ignored: 0 };
      for (const m of mutants) {
        total.count++;
        if (DETECTED.has(m.status)) {
          row.detected++;
          row.valid++;
        } else if (UNDETECTED.has(m.status)) {
          row.valid++;
          if (m.status === 'Survived') row.survived++;
          else row.noCoverage++;
          const original = originalOf(source, m.location);
          const replacement = firstLine(m.replacement ?? '');
          const key = keyOf(file, m.mutatorName, lineOf(source, m.location), original, replacement);
          if (reviewByKey.has(key)) {
            used.add(key);
            reviewedCount++;
          } else {
            unreviewed.push({ file, m, original, replacement });
          }
        } else if (m.status === 'Ignored') row.ignored++;
        else total.errors++;
      }
      total.detected += row.detected;
      total.valid += row.valid;
      total.ignored += row.ignored;
      rows.push(row);
    }
  }

  rows.sort((a, b) => a.file.localeCompare(b.file));
  console.log(
    '\nmutation score per file (killed, timed out or failed to load / all but ignored and errors):',
  );
  for (const r of rows) {
    const extra = [
      r.survived ? `${r.survived} survived` : '',
      r.noCoverage ? `${r.noCoverage} not reached` : '',
      r.ignored ? `${r.ignored} ignored` : '',
    ]
      .filter(Boolean)
      .join(', ');
    console.log(
      `  ${pct(r.detected, r.valid).padStart(7)}  ${r.file}${extra ? `  (${extra})` : ''}`,
    );
  }
  console.log(
    `\nin all: ${total.count} mutants, score ${pct(total.detected, total.valid)}; ` +
      `${total.valid - total.detected} undetected (${reviewedCount} reviewed in scripts/mutate-reviewed.json, ` +
      `${unreviewed.length} not); ${total.ignored} ignored; ${total.errors} errors`,
  );
  if (unreviewed.length > 0) {
    console.log('\nundetected and not reviewed (kill it with a test, or review it):');
    unreviewed.sort(
      (a, b) => a.file.localeCompare(b.file) || a.m.location.start.line - b.m.location.start.line,
    );
    for (const { file, m, original, replacement } of unreviewed) {
      const where = `${file}:${m.location.start.line}:${m.location.start.column}`;
      console.log(`  ${where} ${m.status} ${m.mutatorName}: ${original}  →  ${replacement}`);
    }
  }
  const stale = reviewed.filter(
    (e) => !used.has(keyOf(e.file, e.mutator, e.line, e.original, e.replacement)),
  );
  if (stale.length > 0 && missing.length === 0 && partial.length === 0) {
    console.log(
      `\n${stale.length} review entries match no undetected mutant now (killed, or the code moved on):`,
    );
    for (const e of stale)
      console.log(`  ${e.file} ${e.mutator}: ${e.original}  →  ${e.replacement}`);
  }
  if (partial.length > 0) {
    console.log(
      `\npartial results (a run under way, or stopped) for shard(s): ${partial.join(', ')}`,
    );
  }
  if (missing.length > 0) {
    console.log(
      `\nno result yet for shard(s): ${missing.join(', ')} (npm run mutate -- --shard ${missing.join(',')})`,
    );
  }
  return missing.length === 0 && partial.length === 0 && unreviewed.length === 0;
}

/**
 * Records why an undetected mutant needs no test: `where` is file:line:column as the report
 * prints it, `replacement` what the report shows after the arrow. Appends to
 * scripts/mutate-reviewed.json; refuses when no undetected mutant matches.
 */
export function addReview(root, shardNames, where, mutator, replacement, why) {
  const [file, line, column] = where.split(':');
  const reviewed = loadReviewed(root);
  const reviewedKeys = new Set(
    reviewed.map((e) => keyOf(e.file, e.mutator, e.line, e.original, e.replacement)),
  );
  const found = [];
  for (const shard of shardNames) {
    const files = shardResults(root, shard);
    const entry = files?.[file];
    if (entry === undefined) continue;
    for (const m of entry.mutants) {
      const at = m.location.start;
      if (!UNDETECTED.has(m.status) || m.mutatorName !== mutator) continue;
      if (String(at.line) !== line || String(at.column) !== column) continue;
      if (firstLine(m.replacement ?? '') !== replacement) continue;
      const original = originalOf(entry.source, m.location);
      const text = lineOf(entry.source, m.location);
      if (!reviewedKeys.has(keyOf(file, mutator, text, original, replacement))) {
        found.push({ file, mutator, line: text, original, replacement });
      }
    }
  }
  if (found.length === 0) {
    throw new Error(
      `no unreviewed undetected ${mutator} mutant at ${where} with replacement ${replacement}`,
    );
  }
  if (!why) throw new Error('a review needs the reason');
  const path = join(root, 'scripts', 'mutate-reviewed.json');
  reviewed.push({ ...found[0], why });
  writeFileSync(path, `${JSON.stringify(reviewed, null, 2)}\n`);
  console.log(`reviewed: ${file} ${mutator}: ${found[0].original} → ${replacement}`);
}

// The bench's verdicts and tables: issue 16's goals (met or not, per runtime), the earlier
// checks, a text table per run and the README's tables in Markdown (paste them as they are).
import type { Startup } from './startup.js';

export interface Side {
  wallMs: number[];
  rssKiB: number[];
  medianMs: number;
  peakRssKiB: number;
  /** Median user + system CPU time: steadier than the wall time on a busy machine. */
  medianCpuMs: number;
}

export interface Runtime {
  /** "Node 24", "Node 20". */
  label: string;
  path: string;
  version: string;
}

export interface RuntimeResult {
  runtime: string;
  side: Side;
  /** Median wall time over the CLI's. */
  ratio: number;
}

export interface CaseResult {
  id: number;
  title: string;
  /** Runs per runtime; the CLI ran once beside each, so it has runs × runtimes samples. */
  runs: number;
  note?: string;
  actions: RuntimeResult[];
  cli: Side;
  /** The goal cases' floor per runtime: a minimal Node program making the same requests. */
  floors?: RuntimeResult[];
}

export interface Goal {
  case: number;
  runtime: string;
  goal: string;
  target: string;
  /** Where issue 16 found it; absent for the earlier checks. */
  before?: string;
  reached: string;
  pass: boolean;
  /** The same figure for the floor program on that runtime, when the case measured one. */
  floor?: string;
}

const MIB = 1024;
export const sec = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;
export const mib = (kib: number): string => `${(kib / MIB).toFixed(1)} MiB`;
const times = (x: number): string => `${x.toFixed(2)}×`;

/** Time beyond the runtime's bare start (`node -e ''`), over the CLI's time. */
function beyondBare(r: CaseResult, a: RuntimeResult, s: Startup): number {
  return (a.side.medianMs - s.bareNode.medianMs) / r.cli.medianMs;
}

interface GoalSpec {
  case: number;
  goal: string;
  target: string;
  before: string;
  judge: (r: CaseResult, a: RuntimeResult, s: Startup) => { pass: boolean; reached: string };
}

/** Issue 16's goals ("Start like a Go binary"), judged in the benchmark. */
const ISSUE_GOALS: GoalSpec[] = [
  {
    case: 1,
    goal: "one tag cold, beyond `node -e ''`",
    target: '≤ 0.8× notary',
    before: '2.5× notary',
    judge: (r, a, s) => {
      const x = beyondBare(r, a, s);
      return { pass: x <= 0.8, reached: times(x) };
    },
  },
  {
    case: 4,
    goal: "verify 100 tags, beyond `node -e ''`",
    target: '≤ 3.5× `notary list`',
    before: '6.4× `notary list`',
    judge: (r, a, s) => {
      const x = beyondBare(r, a, s);
      return { pass: x <= 3.5, reached: times(x) };
    },
  },
  {
    case: 5,
    goal: 'one tag into a 10,000-tag repository',
    target: '< 80 MiB peak, ≤ 0.9× notary',
    before: '~148 MiB peak (Node 24)',
    judge: (_r, a) => ({
      pass: a.side.peakRssKiB < 80 * MIB && a.ratio <= 0.9,
      reached: `${(a.side.peakRssKiB / MIB).toFixed(0)} MiB, ${times(a.ratio)}`,
    }),
  },
  {
    case: 3,
    goal: 'batch 4 × 25',
    target: '≤ 0.15× notary',
    before: '0.2× notary',
    judge: (_r, a) => ({ pass: a.ratio <= 0.15, reached: times(a.ratio) }),
  },
];

export function issueGoals(results: CaseResult[], startups: Map<string, Startup>): Goal[] {
  const out: Goal[] = [];
  for (const spec of ISSUE_GOALS) {
    const r = results.find((x) => x.id === spec.case);
    for (const a of r?.actions ?? []) {
      const s = startups.get(a.runtime)!;
      const { pass, reached } = spec.judge(r!, a, s);
      const f = r!.floors?.find((x) => x.runtime === a.runtime);
      const floor = f === undefined ? {} : { floor: spec.judge(r!, f, s).reached };
      const { case: id, goal, target, before } = spec;
      out.push({ case: id, goal, target, before, runtime: a.runtime, reached, pass, ...floor });
    }
  }
  return out;
}

/** The earlier goals: batches no slower than the CLI, small commands, peak RSS < 100 MiB. */
export function otherChecks(results: CaseResult[], startups: Map<string, Startup>): Goal[] {
  const out: Goal[] = [];
  for (const r of results) {
    for (const a of r.actions) {
      const s = startups.get(a.runtime)!;
      if ([2, 3, 4, 5, 6].includes(r.id)) {
        out.push({
          case: r.id,
          runtime: a.runtime,
          goal: `case ${r.id} (${r.title}): no slower than the CLI`,
          target: '≤ 1×',
          reached: `${sec(a.side.medianMs)} vs ${sec(r.cli.medianMs)}, ${times(a.ratio)}`,
          pass: a.ratio <= 1,
        });
      } else {
        // One small command: Node's start-up alone outweighs a Go binary's run.
        const x = beyondBare(r, a, s);
        out.push({
          case: r.id,
          runtime: a.runtime,
          goal: `case ${r.id} (${r.title}): beyond bare node ≤ 1.5× the CLI`,
          target: '≤ 1.5×',
          reached: times(x),
          pass: x <= 1.5,
        });
      }
      out.push({
        case: r.id,
        runtime: a.runtime,
        goal: `case ${r.id} (${r.title}): peak RSS < 100 MiB`,
        target: '< 100 MiB',
        reached: mib(a.side.peakRssKiB),
        pass: a.side.peakRssKiB < 100 * MIB,
      });
    }
  }
  return out;
}

/** Columns padded to their widest cell, the first left-aligned, the others right-aligned. */
export function textTable(rows: string[][]): string {
  const widths = rows[0].map((_, k) => Math.max(...rows.map((row) => row[k].length)));
  const line = (row: string[]): string =>
    row.map((cell, k) => (k === 0 ? cell.padEnd(widths[k]) : cell.padStart(widths[k]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)]
    .join('\n')
    .trimEnd();
}

/** A Markdown table as prettier writes it (padded, left-aligned). */
export function markdownTable(rows: string[][]): string {
  const widths = rows[0].map((_, k) => Math.max(3, ...rows.map((row) => row[k].length)));
  const line = (row: string[]): string =>
    `| ${row.map((cell, k) => cell.padEnd(widths[k])).join(' | ')} |`;
  return [line(rows[0]), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`]
    .concat(rows.slice(1).map(line))
    .join('\n');
}

/** Every case: each runtime's median, ratio and peak RSS beside the CLI's. */
export function resultRows(results: CaseResult[], runtimes: Runtime[]): string[][] {
  const withFloor = results.some((r) => r.floors !== undefined);
  const floorOf = (r: CaseResult, rt: Runtime): RuntimeResult | undefined =>
    r.floors?.find((f) => f.runtime === rt.label);
  const head = [
    'case',
    ...runtimes.map((rt) => rt.label),
    'notary CLI',
    ...(withFloor ? runtimes.map((rt) => `${rt.label} floor`) : []),
    ...runtimes.map((rt) => `${rt.label} / CLI`),
    ...runtimes.map((rt) => `${rt.label} peak RSS`),
    'CLI peak RSS',
  ];
  const rows = results.map((r) => {
    const of = (rt: Runtime): RuntimeResult | undefined =>
      r.actions.find((a) => a.runtime === rt.label);
    return [
      `${r.id} ${r.title}`,
      ...runtimes.map((rt) => sec(of(rt)?.side.medianMs ?? NaN)),
      sec(r.cli.medianMs),
      ...(withFloor ? runtimes.map((rt) => floorText(floorOf(r, rt))) : []),
      ...runtimes.map((rt) => (of(rt)?.ratio ?? NaN).toFixed(2)),
      ...runtimes.map((rt) => mib(of(rt)?.side.peakRssKiB ?? NaN)),
      mib(r.cli.peakRssKiB),
    ];
  });
  return [head, ...rows];
}

/** A floor cell: median time, ratio to the CLI and peak RSS ("—" where none was measured). */
const floorText = (f: RuntimeResult | undefined): string =>
  f === undefined
    ? '—'
    : `${sec(f.side.medianMs)} (${f.ratio.toFixed(2)}, ${mib(f.side.peakRssKiB)})`;

/** Every case's median CPU time (user + system) per runtime beside the CLI's. */
export function cpuRows(results: CaseResult[], runtimes: Runtime[]): string[][] {
  const withFloor = results.some((r) => r.floors !== undefined);
  return [
    [
      'CPU time (user + system)',
      ...runtimes.map((rt) => rt.label),
      'notary CLI',
      ...(withFloor ? runtimes.map((rt) => `${rt.label} floor`) : []),
    ],
    ...results.map((r) => [
      `${r.id} ${r.title}`,
      ...runtimes.map((rt) =>
        sec(r.actions.find((a) => a.runtime === rt.label)?.side.medianCpuMs ?? NaN),
      ),
      sec(r.cli.medianCpuMs),
      ...(withFloor
        ? runtimes.map((rt) => {
            const f = r.floors?.find((x) => x.runtime === rt.label);
            return f === undefined ? '—' : sec(f.side.medianCpuMs);
          })
        : []),
    ]),
  ];
}

/** Issue 16's goals: one row per goal, a column per runtime ("0.93× (not met)"). */
export function goalRows(goals: Goal[], runtimes: Runtime[]): string[][] {
  const specs = ISSUE_GOALS.filter((g) => goals.some((x) => x.case === g.case));
  return [
    ['goal (issue 16)', 'before', 'target', ...runtimes.map((rt) => rt.label)],
    ...specs.map((spec) => [
      spec.goal,
      spec.before,
      spec.target,
      ...runtimes.map((rt) => {
        const g = goals.find((x) => x.case === spec.case && x.runtime === rt.label);
        if (g === undefined) return '—';
        if (g.floor === undefined) return `${g.reached} (${g.pass ? 'met' : 'not met'})`;
        return g.pass
          ? `${g.reached} (met; floor ${g.floor})`
          : `reached ${g.reached}, floor ${g.floor} (not met)`;
      }),
    ]),
  ];
}

/** Start-up with no work per runtime: bare Node, the action, what the action adds. */
export function startupRows(runtimes: Runtime[], startups: Map<string, Startup>): string[][] {
  return [
    ['start-up, no work', ...runtimes.map((rt) => `${rt.label} (${rt.version})`)],
    ["`node -e ''`", ...runtimes.map((rt) => sideText(startups.get(rt.label)!.bareNode))],
    ['action', ...runtimes.map((rt) => sideText(startups.get(rt.label)!.actionNoWork))],
    [
      'action beyond bare Node',
      ...runtimes.map((rt) => {
        const s = startups.get(rt.label)!;
        return `${sec(s.actionNoWork.medianMs - s.bareNode.medianMs)} (CPU ${sec(s.actionNoWork.medianCpuMs - s.bareNode.medianCpuMs)}), +${mib(s.actionNoWork.medianRssKiB - s.bareNode.medianRssKiB)}`;
      }),
    ],
    ...(startups.get(runtimes[0].label)!.postNoWork === undefined
      ? []
      : [
          [
            'post step, nothing to clean up',
            ...runtimes.map((rt) => sideText(startups.get(rt.label)!.postNoWork!)),
          ],
        ]),
  ];
}

const sideText = (s: Startup['bareNode']): string =>
  `${sec(s.medianMs)} (CPU ${sec(s.medianCpuMs)}), ${mib(s.medianRssKiB)}`;

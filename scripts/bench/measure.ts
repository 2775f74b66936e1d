// One timed process: wall time from our spawn to its exit; peak RSS (`%M`, KiB) and CPU time
// (`%U` + `%S`, which a busy machine inflates less than the wall time) from GNU time.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

export const TIME_BIN = '/usr/bin/time';

export interface Sample {
  wallMs: number;
  /** Largest resident set of the process or of any child it waited for (getrusage). */
  rssKiB: number;
  /** User + system CPU time of the process and the children it waited for (10 ms steps). */
  cpuMs: number;
  code: number;
  stdout: string;
  stderr: string;
}

export interface TimedOptions {
  env: Record<string, string>;
  cwd: string;
  /** Where GNU time writes its line (a fresh name per call is made in it). */
  scratchDir: string;
  timeoutMs?: number;
}

let counter = 0;

/** Runs `bin args` under `/usr/bin/time -f '%e %M %U %S'`; both sides pay the same wrapper. */
export async function timed(bin: string, args: string[], opts: TimedOptions): Promise<Sample> {
  const timeFile = join(opts.scratchDir, `time-${process.pid}-${++counter}.txt`);
  const start = process.hrtime.bigint();
  let exitedAt = start;
  const { code, stdout, stderr } = await new Promise<{
    code: number;
    stdout: string;
    stderr: string;
  }>((resolve, reject) => {
    const child = spawn(TIME_BIN, ['-f', '%e %M %U %S', '-o', timeFile, bin, ...args], {
      env: opts.env,
      cwd: opts.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
    child.once('exit', () => (exitedAt = process.hrtime.bigint()));
    child.once('error', reject);
    child.once('close', (c, signal) => {
      clearTimeout(timer);
      resolve({
        code: c ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
  const wallMs = Number(exitedAt - start) / 1e6;
  // GNU time prefixes "Command exited with non-zero status N" when the command fails.
  const lines = (await readFile(timeFile, 'utf8')).trim().split('\n');
  await rm(timeFile, { force: true });
  const m = /^([\d.]+) (\d+) ([\d.]+) ([\d.]+)$/.exec(lines[lines.length - 1] ?? '');
  if (!m) throw new Error(`${TIME_BIN} wrote no "%e %M %U %S" line: ${lines.join(' | ')}`);
  const cpuMs = Math.round((Number(m[3]) + Number(m[4])) * 1000);
  return { wallMs, rssKiB: Number(m[2]), cpuMs, code, stdout, stderr };
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Installs Debian's `time` package when /usr/bin/time is missing. */
export async function ensureTime(): Promise<void> {
  if (existsSync(TIME_BIN)) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', 'time'],
  ]) {
    const code = await new Promise<number | null>((resolve) =>
      spawn('apt-get', args, { env, stdio: 'ignore' }).once('close', resolve),
    );
    if (code !== 0) throw new Error(`apt-get ${args.join(' ')} exited ${code}`);
  }
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

// Start-up with no work: `node -e ''` against the bundled main step failing input validation at
// once (`verify` with no images) and, when a post bundle is given, the post step with nothing to
// clean up, alternating, on one Node. `npm run bench -- --startup-only`
// prints just these figures (no servers), to compare builds quickly.
import { statSync } from 'node:fs';
import { checkNoWork, runAction } from './action.js';
import { median, timed, type Sample } from './measure.js';

export interface StartupSide {
  medianMs: number;
  peakRssKiB: number;
  medianRssKiB: number;
  medianCpuMs: number;
}

export interface Startup {
  bareNode: StartupSide;
  actionNoWork: StartupSide;
  /** dist/main/index.js (or the `--entry` given), bytes. */
  entryBytes: number;
  /** The post step after a main step that did not run (nothing to clean up). */
  postNoWork?: StartupSide;
  postBytes?: number;
}

function side(samples: Sample[]): StartupSide {
  const rss = samples.map((s) => s.rssKiB);
  return {
    medianMs: median(samples.map((s) => s.wallMs)),
    peakRssKiB: Math.max(...rss),
    medianRssKiB: median(rss),
    medianCpuMs: median(samples.map((s) => s.cpuMs)),
  };
}

export async function measureStartup(
  node: string,
  entry: string,
  runs: number,
  work: string,
  postEntry?: string,
): Promise<Startup> {
  const bare: Sample[] = [];
  const noWork: Sample[] = [];
  const post: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    bare.push(await timed(node, ['-e', ''], { env: {}, cwd: work, scratchDir: work }));
    const r = await runAction({ command: 'verify', images: '' }, { node, baseDir: work, entry });
    checkNoWork(r);
    noWork.push(r);
    if (postEntry !== undefined) {
      const p = await runAction({}, { node, baseDir: work, entry: postEntry });
      if (p.code !== 0 || !/did not run/.test(p.stdout)) {
        throw new Error(`the post step with nothing to do said: ${p.stdout.slice(0, 300)}`);
      }
      post.push(p);
    }
  }
  return {
    bareNode: side(bare),
    actionNoWork: side(noWork),
    entryBytes: statSync(entry).size,
    ...(postEntry === undefined
      ? {}
      : { postNoWork: side(post), postBytes: statSync(postEntry).size }),
  };
}

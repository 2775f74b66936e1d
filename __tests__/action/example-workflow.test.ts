// The example pipeline is copied into users' repositories: it must be safe as it stands.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const yml = readFileSync(new URL('../../.github/workflows/example.yml', import.meta.url), 'utf8');

/** The jobs of the workflow, each as its steps' text (a small reader: no YAML parser in deps). */
function jobs(): Map<string, { head: string; steps: string[] }> {
  const body = /^jobs:\n([\s\S]*)$/m.exec(yml)?.[1] ?? '';
  const out = new Map<string, { head: string; steps: string[] }>();
  for (const part of body.split(/^ {2}(?=[\w-]+:\s*$)/m)) {
    const name = /^([\w-]+):/.exec(part)?.[1];
    if (name === undefined) continue;
    const [head, rest = ''] = part.split(/^ {4}steps:\s*$/m);
    const code = rest.replace(/^\s*#.*\n/gm, ''); // comments are not steps
    out.set(name, { head, steps: code.split(/^ {6}- /m).filter((s) => s.trim() !== '') });
  }
  return out;
}

describe('.github/workflows/example.yml', () => {
  it('pastes no expression into a shell line: outputs reach `run` through env', () => {
    const all = [...jobs().values()].flatMap((j) => j.steps);
    expect(all.length).toBeGreaterThan(5);
    for (const step of all) {
      const run = /^(?: {8})?run:([\s\S]*)$/m.exec(step)?.[1];
      if (run !== undefined) expect(run, step).not.toContain('${{');
    }
    const consumer = all.find((s) => s.includes('steps.sign.outputs.signed'));
    expect(consumer).toMatch(/env:\s*\n\s+\w+: \$\{\{ steps\.sign\.outputs\.signed \}\}/);
  });

  it('verifies pull requests from forks too: no step there needs a secret forks do not get', () => {
    const pr = [...jobs().values()].filter((j) => j.head.includes("== 'pull_request'"));
    expect(pr).toHaveLength(1);
    const verify = pr[0].steps.find((s) => /command: verify/.test(s));
    expect(verify).toBeDefined();
    expect(verify).not.toContain('secrets.');
    for (const step of pr[0].steps.filter((s) => s.includes('secrets.'))) {
      // Only for pull requests from this repository, which do get secrets.
      expect(step).toMatch(/if: .*head\.repo\.(fork == false|full_name == github\.repository)/);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { escapeHtml, renderSummary } from '../../src/action/summary.js';

describe('renderSummary', () => {
  it('escapes every cell', () => {
    const html = renderSummary({
      command: 'sign',
      tags: [
        {
          image: 'r.io/<script>alert(1)</script>:1',
          gun: 'r.io/x',
          tag: '"&\'',
          digest: 'sha256:<b>',
          size: 5,
          roles: ['targets/<i>'],
        },
      ],
      failures: [{ image: 'r.io/y:<1>', message: 'got <html> & `digest` was wrong' }],
    });
    expect(html).not.toMatch(/<(script|b|i|html)>/);
    expect(html).toContain('<td>r.io/&lt;script&gt;alert(1)&lt;/script&gt;:1</td>');
    expect(html).toContain('<td>&quot;&amp;&#39;</td>');
    expect(html).toContain('<code>sha256:&lt;b&gt;</code>');
    expect(html).toContain('<td>targets/&lt;i&gt;</td>');
    expect(html).toContain('<td>got &lt;html&gt; &amp; <code>digest</code> was wrong</td>');
  });

  it('titles each command and names the last column for it', () => {
    const tag = { image: 'a:1', gun: 'a', tag: '1', digest: 'sha256:0', size: 1 };
    const v = renderSummary({
      command: 'verify',
      tags: [{ ...tag, signers: ['ci', 'releases'] }],
      failures: [],
    });
    expect(v).toMatch(/^<h2>Verified tags<\/h2>/);
    expect(v).toContain('<th>Signers</th>');
    expect(v).toContain('<td>ci, releases</td>');
    const r = renderSummary({
      command: 'revoke',
      tags: [{ ...tag, roles: ['targets'] }],
      failures: [],
    });
    expect(r).toMatch(/^<h2>Revoked tags<\/h2>/);
    expect(r).toContain('<th>Roles</th>');
    expect(r).not.toContain('Failed');
  });

  it('says when nothing was done', () => {
    const html = renderSummary({
      command: 'sign',
      tags: [],
      failures: [{ image: 'a:1', message: 'x' }],
    });
    expect(html).toContain('<p>No tag was signed.</p>');
    expect(html).toContain('<h3>Failed</h3>');
  });

  it('escapeHtml handles all five characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
  });
});

describe('renderSummary: signer commands', () => {
  it('lists each repository, the signer, its short key IDs and the result', () => {
    const html = renderSummary({
      command: 'signer-add',
      tags: [],
      signers: [
        {
          image: 'r.io/a',
          gun: 'r.io/a',
          signer: 'ci',
          keyIds: ['abcdef0123456789'],
          result: 'added',
          created: true,
        },
        {
          image: 'r.io/<b>',
          gun: 'r.io/<b>',
          signer: 'ci',
          keyIds: [],
          result: 'unchanged',
          created: false,
        },
      ],
      failures: [],
    });
    expect(html).toMatch(/^<h2>Signer added<\/h2>/);
    expect(html).toContain('<th>Repository</th><th>Signer</th><th>Keys</th><th>Result</th>');
    expect(html).toContain(
      '<td>r.io/a</td><td>ci</td><td><code>abcdef0</code></td><td>added (repository created)</td>',
    );
    expect(html).toContain('<td>r.io/&lt;b&gt;</td>');
    expect(html).toContain('already so; nothing published');
    expect(renderSummary({ command: 'signer-remove', tags: [], failures: [] })).toContain(
      '<p>No repository was changed.</p>',
    );
  });
});

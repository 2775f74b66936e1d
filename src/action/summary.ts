/**
 * The job summary: what was signed, revoked or verified, and what failed. Rendered as HTML
 * (what `core.summary` writes); every cell is escaped, since image names and error messages
 * come from users and servers.
 */
import type { Command } from './inputs.js';
import type { SignerChange } from '../signer/admin/images.js';
import { daysLeft, type RepoHealth } from '../signer/health.js';
import type { SignedTag, VerifiedTag } from '../signer/types.js';

export interface SummaryReport {
  command?: Command;
  tags: (SignedTag | VerifiedTag)[];
  /** What signer-add / signer-remove changed, per repository. */
  signers?: SignerChange[];
  failures: { image: string; message: string }[];
  /** Each repository's roles after the run (trust health). */
  health?: RepoHealth[];
  /** The clock the days left are counted from (tests); default now. */
  now?: Date;
}

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const HEADINGS: Record<Command, string> = {
  sign: 'Signed tags',
  verify: 'Verified tags',
  revoke: 'Revoked tags',
  refresh: 'Refreshed trust data',
  'signer-add': 'Signer added',
  'signer-remove': 'Signer removed',
};

const DONE: Record<Command, string> = {
  sign: 'No tag was signed.',
  verify: 'No tag was verified.',
  revoke: 'No tag was revoked.',
  refresh: 'Nothing was due: no role the keys can sign expires within the window.',
  'signer-add': 'No repository was changed.',
  'signer-remove': 'No repository was changed.',
};

const RESULTS: Record<SignerChange['result'], string> = {
  added: 'added',
  removed: 'removed',
  unchanged: 'already so; nothing published',
};

/** Escaped text, with `input` spans of our messages shown as code. */
const prose = (s: string): string => escapeHtml(s).replace(/`([^`]+)`/g, '<code>$1</code>');

function row(cells: string[], tag: 'td' | 'th' = 'td'): string {
  return `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join('')}</tr>`;
}

const code = (s: string): string => `<code>${escapeHtml(s)}</code>`;

/** Under this many days left a role is flagged (the warnings' 30 days). */
const SOON_DAYS = 30;

/**
 * Trust health: per repository, each role's version, expiry, days left and signing keys, and
 * what this run re-signed. The server's roles are marked: it renews them itself.
 */
function renderHealth(health: RepoHealth[], now: Date): string[] {
  const out = ['<h3>Trust health</h3>'];
  for (const h of health) {
    out.push(`<h4>${escapeHtml(h.gun)}</h4>`);
    const rows = [row(['Role', 'Version', 'Expires', 'Days left', 'Signed by', 'This run'], 'th')];
    for (const role of h.roles) {
      const left = daysLeft(role.expires, now);
      // The server renews its own roles (the timestamp lasts two weeks): nothing to flag.
      const flag = role.serverManaged
        ? ''
        : left < 0
          ? ' ❌ expired'
          : left < SOON_DAYS
            ? ' ⚠️'
            : '';
      const signers = role.serverManaged
        ? 'the trust server'
        : role.keyIds.map((id) => code(id.slice(0, 7))).join(', ');
      rows.push(
        row([
          escapeHtml(role.role),
          escapeHtml(String(role.version)),
          escapeHtml(role.expires),
          escapeHtml(`${left}${flag}`),
          signers,
          h.changed.includes(role.role) ? 're-signed' : '',
        ]),
      );
    }
    out.push(`<table>${rows.join('')}</table>`);
  }
  return out;
}

export function renderSummary(r: SummaryReport): string {
  const out: string[] = [];
  const title = r.command === undefined ? 'Docker Content Trust' : HEADINGS[r.command];
  out.push(`<h2>${escapeHtml(title)}</h2>`);
  const signers = r.signers ?? [];
  if (signers.length > 0) {
    const rows = [row(['Repository', 'Signer', 'Keys', 'Result'], 'th')];
    for (const s of signers) {
      rows.push(
        row([
          escapeHtml(s.gun),
          escapeHtml(s.signer),
          s.keyIds.map((id) => code(id.slice(0, 7))).join(', '),
          escapeHtml(`${RESULTS[s.result]}${s.created ? ' (repository created)' : ''}`),
        ]),
      );
    }
    out.push(`<table>${rows.join('')}</table>`);
  } else if (r.tags.length > 0) {
    const last = r.command === 'verify' ? 'Signers' : 'Roles';
    const rows = [row(['Image', 'Tag', 'Digest', 'Size', last], 'th')];
    for (const t of r.tags) {
      const names = 'signers' in t ? t.signers : t.roles;
      rows.push(
        row([
          escapeHtml(t.image),
          escapeHtml(t.tag),
          code(t.digest),
          escapeHtml(String(t.size)),
          names.map(escapeHtml).join(', '),
        ]),
      );
    }
    out.push(`<table>${rows.join('')}</table>`);
  } else if (r.command !== undefined && !(r.health ?? []).some((h) => h.changed.length > 0)) {
    out.push(`<p>${DONE[r.command]}</p>`);
  }
  if ((r.health ?? []).length > 0) out.push(...renderHealth(r.health!, r.now ?? new Date()));
  if (r.failures.length > 0) {
    out.push('<h3>Failed</h3>');
    const rows = [row(['Image', 'Error'], 'th')];
    for (const f of r.failures) rows.push(row([escapeHtml(f.image), prose(f.message)]));
    out.push(`<table>${rows.join('')}</table>`);
  }
  return `${out.join('\n')}\n`;
}

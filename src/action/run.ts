/**
 * The main step and its one error boundary: whatever is thrown ends as `setFailed` lines (one
 * per failing image), with every known secret redacted. Collaborators are injectable so tests
 * can drive the boundary with a fake core and fake flows; @actions/core is the default.
 */
import { trustServerFor } from '../notary/client.js';
import { parseRepositoryRef } from '../registry/reference.js';
import * as core from '@actions/core';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DctError, ImagesError, describeError, oneLine, reasonOf } from '../errors.js';
import { Redactor } from '../redact.js';
import { KeyRing } from '../keys/keyring.js';
import { assertP256, decryptCosignKey } from '../cosign/key.js';
import type { KeyObject } from 'node:crypto';
import { disposeKeyFiles, readKeySecret, type KeyFile } from '../keys/secret.js';
import {
  addSignerToImages,
  removeSignerFromImages,
  type SignerAddOptions,
  type SignerAdminOptions,
  type SignerChange,
} from '../signer/admin/images.js';
import { parseSignerKeys } from '../signer/admin/signer-keys.js';
import type { RepoHealth } from '../signer/health.js';
import { revokeImages } from '../signer/revoke.js';
import { refreshRepositories, type RefreshOptions, type RefreshResult } from '../signer/refresh.js';
import { signImages } from '../signer/sign.js';
import type {
  ConnectionOptions,
  Logger,
  RevokeOptions,
  SignOptions,
  SignedTag,
  VerifiedTag,
  VerifyOptions,
} from '../signer/types.js';
import { verifyImages } from '../signer/verify.js';

export { Redactor };
import { TrustCache, type CacheApi } from './cache.js';
import {
  getInputs,
  InputsError,
  type Command,
  type Env,
  type Inputs,
  type InputsCore,
} from './inputs.js';
import {
  digestsOutput,
  isSignedTag,
  isVerifiedTag,
  refreshedOutput,
  signedOutput,
  verifiedOutput,
} from './outputs.js';
import { MainState, type StateApi } from './state.js';
import { renderSummary, type SummaryReport } from './summary.js';

export interface MainCore extends InputsCore, StateApi, Logger {
  setOutput(name: string, value: string): void;
  setFailed(message: string): void;
}

export interface Flows {
  sign(opts: SignOptions): Promise<SignedTag[]>;
  verify(opts: VerifyOptions): Promise<VerifiedTag[]>;
  revoke(opts: RevokeOptions): Promise<SignedTag[]>;
  signerAdd(opts: SignerAddOptions): Promise<SignerChange[]>;
  signerRemove(opts: SignerAdminOptions): Promise<SignerChange[]>;
  refresh(opts: RefreshOptions): Promise<RefreshResult[]>;
}

export interface MainDeps {
  core: MainCore;
  env: Env;
  flows: Flows;
  /** Decrypt the `keys` input into a KeyRing; `mask` every secret text it derives. */
  loadKeys(inputs: Inputs, mask: (secret: string) => void, log: Logger): Promise<KeyRing>;
  cache: CacheApi;
  writeSummary(html: string): Promise<void>;
}

export const RETIRED_NOTARY_WARNING =
  'Docker retired notary.docker.io (read brownouts in August 2026, shut down on 8 December 2026); point `trust-server` at your own Notary server';

function loadKeys(inputs: Inputs, mask: (secret: string) => void, log: Logger): Promise<KeyRing> {
  let files: KeyFile[] = [];
  try {
    const read = readKeySecret(inputs.keys ?? '', mask);
    files = read.files;
    for (const note of read.notes) log.info(note);
    return Promise.resolve(
      KeyRing.open(files, {
        passphrase: inputs.passphrase,
        rootPassphrase: inputs.rootPassphrase,
        // signer-add may create a repository and refresh may re-sign root: the only uses of
        // a root key here.
        include:
          (inputs.command === 'signer-add' || inputs.command === 'refresh') &&
          inputs.rootPassphrase !== undefined
            ? 'all'
            : 'signing',
      }),
    );
  } catch (e) {
    // Name the input a key problem came from (the key modules speak of "the key archive").
    if (e instanceof DctError && !e.message.startsWith('`keys`')) {
      throw new DctError(e.code, `\`keys\`: ${e.message}`, { cause: e });
    }
    throw e;
  } finally {
    disposeKeyFiles(files); // the DER copies; the ring keeps KeyObjects only
  }
}

function defaultDeps(): MainDeps {
  return {
    core,
    env: process.env,
    flows: {
      sign: signImages,
      verify: verifyImages,
      revoke: revokeImages,
      signerAdd: addSignerToImages,
      signerRemove: removeSignerFromImages,
      refresh: refreshRepositories,
    },
    loadKeys,
    cache: {
      // @actions/cache (Azure SDK, protobuf) is most of the bundle: load it only when usable.
      isFeatureAvailable: () =>
        Boolean(process.env.ACTIONS_CACHE_URL || process.env.ACTIONS_RESULTS_URL),
      restoreCache: async (...a) => (await import('@actions/cache')).restoreCache(...a),
      saveCache: async (...a) => (await import('@actions/cache')).saveCache(...a),
    },
    writeSummary: async (html) => {
      if (!process.env.GITHUB_STEP_SUMMARY) {
        core.debug('No GITHUB_STEP_SUMMARY here; the job summary is skipped');
        return;
      }
      await core.summary.addRaw(html, true).write();
    },
  };
}

/** One line, and a readable one: anything a server or an input put in it is cut at 1,000. */
const MAX_LINE = 1000;
const flatLine = (s: string): string => oneLine(s, { max: MAX_LINE, breaksOnly: true });

/** The `cosign-key` input, decrypted with `cosign-password` (or COSIGN_PASSWORD). */
async function loadCosignKey(inputs: Inputs): Promise<KeyObject> {
  const password = inputs.cosignPassword ?? '';
  try {
    const key = await decryptCosignKey(inputs.cosignKey!, password, '`cosign-key`');
    assertP256(key, '`cosign-key`');
    return key;
  } catch (e) {
    if (e instanceof DctError && e.code === 'COSIGN_KEY_BAD_PASSWORD') {
      const hint =
        password === ''
          ? 'set `cosign-password` (or COSIGN_PASSWORD) to the password it was written with'
          : 'check `cosign-password` (or COSIGN_PASSWORD)';
      throw new DctError(e.code, `${e.message}; ${hint}`, { cause: e });
    }
    throw e;
  }
}

/** The `cause` chain of an error, nearest first (bounded: a cycle must not hang the step). */
function causes(e: unknown): unknown[] {
  const out: unknown[] = [];
  for (let cur = e; cur instanceof Error && cur.cause !== undefined && out.length < 8;) {
    cur = cur.cause;
    out.push(cur);
  }
  return out;
}

/** Whether any image's trust server (explicit, or derived as docker derives it) is Docker's. */
function usesRetiredNotary(inputs: Inputs): boolean {
  return inputs.images.some((image) => {
    try {
      return (
        new URL(trustServerFor(parseRepositoryRef(image), inputs.trustServer)).hostname ===
        'notary.docker.io'
      );
    } catch {
      return false; // a bad reference is reported by the flow, with its input named
    }
  });
}

/** The lines to fail with: one per failing image, else one (or one per input problem). */
function failureLines(e: unknown, redactor: Redactor): { image: string; message: string }[] {
  const clean = (s: string): string => flatLine(redactor.redact(s));
  if (e instanceof ImagesError && e.failures.length > 0) {
    return e.failures.map((f) => ({ image: clean(f.image), message: clean(reasonOf(f)) }));
  }
  if (e instanceof InputsError) return e.problems.map((p) => ({ image: '', message: clean(p) }));
  if (e instanceof DctError) return [{ image: '', message: clean(e.message) }];
  return [{ image: '', message: `Unexpected error: ${clean(describeError(e))}` }];
}

export async function runMain(overrides: Partial<MainDeps> = {}): Promise<void> {
  const d: MainDeps = { ...defaultDeps(), ...overrides };
  const c = d.core;
  const redactor = new Redactor();
  const mask = (s: string): void => {
    if (s === '') return;
    c.setSecret(s);
    redactor.add(s);
  };
  // A change may be planned more than once (prepared, then published, then retried): a
  // warning it gives says nothing new the second time.
  const warned = new Set<string>();
  const log: Logger = {
    info: (m) => c.info(m),
    warning: (m) => {
      if (warned.has(m)) return;
      warned.add(m);
      c.warning(m);
    },
    debug: (m) => c.debug(m),
  };
  const report: SummaryReport = { tags: [], failures: [] };
  let cache: TrustCache | undefined;
  let keys: KeyRing | undefined;

  try {
    try {
      const inputs = getInputs(c, d.env, mask);
      report.command = inputs.command;

      const state = new MainState(c);
      state.markRan();
      if (usesRetiredNotary(inputs)) log.warning(RETIRED_NOTARY_WARNING);

      if (inputs.command !== 'verify') {
        keys = await d.loadKeys(inputs, mask, log);
        for (const w of keys.warnings) log.warning(w);
      }
      const cosignKey = inputs.cosignKey === undefined ? undefined : await loadCosignKey(inputs);

      cache = await TrustCache.open({
        enabled: inputs.cache,
        // A fixed path: @actions/cache ties entries to the paths they were saved from.
        dir: join(d.env.RUNNER_TEMP ?? tmpdir(), 'dct-trust-cache'),
        images: inputs.images,
        env: d.env,
        api: d.cache,
        log,
        recordPath: (p) => state.recordPath(p),
      });

      const conn: ConnectionOptions = {
        trustServer: inputs.trustServer,
        caPem: inputs.caPem,
        insecureRegistries: inputs.insecureRegistries,
        username: inputs.username,
        password: inputs.password,
        dockerConfigDir: inputs.dockerConfigDir,
        onSecret: mask,
      };
      const common = {
        ...conn,
        images: inputs.images,
        rootKeyIds: inputs.rootKeyIds,
        trustStore: cache?.store,
        log,
        onHealth: (h: RepoHealth) => (report.health ??= []).push(h),
      };
      if (inputs.command === 'verify') {
        const tags = await d.flows.verify({
          ...common,
          digest: inputs.digest,
          requiredSigners: inputs.requiredSigners,
          cosign: inputs.cosign,
        });
        setOutputs(c, 'verify', tags);
        report.tags = tags;
      } else if (inputs.command === 'refresh') {
        const results = await d.flows.refresh({
          ...conn,
          repositories: inputs.images,
          keys: keys!,
          expiresWithinMs: inputs.expiresWithinMs,
          rootKeyIds: inputs.rootKeyIds,
          trustStore: cache?.store,
          log,
        });
        reportRefresh(c, report, results);
      } else if (inputs.command === 'signer-add' || inputs.command === 'signer-remove') {
        const opts = { ...common, keys: keys!, signer: inputs.signers[0] };
        report.signers =
          inputs.command === 'signer-add'
            ? await d.flows.signerAdd({
                ...opts,
                signerKeys: parseSignerKeys(inputs.signerKeys ?? '', '`signer-keys`'),
              })
            : await d.flows.signerRemove(opts);
      } else {
        const opts = { ...common, keys: keys!, signers: inputs.signers };
        const tags =
          inputs.command === 'sign'
            ? await d.flows.sign({
                ...opts,
                digest: inputs.digest,
                ...(inputs.cosign ? { cosign: cosignKey ? { key: cosignKey } : {} } : {}),
              })
            : await d.flows.revoke(opts);
        setOutputs(c, inputs.command, tags);
        report.tags = tags;
      }
    } catch (e) {
      report.failures = failureLines(e, redactor);
      for (const f of report.failures)
        c.setFailed(f.image ? `${f.image}: ${f.message}` : f.message);
      report.failures = report.failures.map((f) => ({ ...f, image: f.image || '—' }));
      // Details for a debug re-run (ACTIONS_STEP_DEBUG), redacted like everything else.
      if (!(e instanceof DctError) && e instanceof Error && e.stack) {
        c.debug(redactor.redact(e.stack));
      }
      // The causes a failure line does not already say (wrapped errors repeat their cause).
      const said = report.failures.map((f) => f.message).join('\n');
      for (const cause of causes(e)) {
        const text = flatLine(redactor.redact(describeError(cause)));
        if (!said.includes(text)) c.debug(`Caused by: ${text}`);
      }
      // Other repositories may have gone through (errors.ts ImagesError): report those too.
      if (e instanceof ImagesError && report.command === 'refresh') {
        reportRefresh(c, report, e.done.filter(isRefreshResult));
      } else if (e instanceof ImagesError && isSignerCommand(report.command)) {
        report.signers = e.done.filter(isSignerChange);
      } else if (e instanceof ImagesError && report.command !== undefined) {
        const done =
          report.command === 'verify' ? e.done.filter(isVerifiedTag) : e.done.filter(isSignedTag);
        if (done.length > 0) {
          setOutputs(c, report.command, done);
          report.tags = done;
        }
      }
    } finally {
      try {
        keys?.dispose();
      } catch (e) {
        c.warning(`Could not dispose of the keys: ${redactor.redact(describeError(e))}`);
      }
    }

    try {
      await d.writeSummary(renderSummary(report));
    } catch (e) {
      c.warning(`Could not write the job summary: ${redactor.redact(describeError(e))}`);
    }
    // The flows only store states they verified, so even a failed run's learning is kept.
    await cache?.save();
  } catch (e) {
    // Last line of defence: runMain never rejects (main.ts would print a raw stack).
    c.setFailed(`Unexpected error: ${flatLine(redactor.redact(describeError(e)))}`);
  }
}

function isSignerCommand(c: Command | undefined): c is 'signer-add' | 'signer-remove' {
  return c === 'signer-add' || c === 'signer-remove';
}

function isRefreshResult(v: unknown): v is RefreshResult {
  return typeof v === 'object' && v !== null && 'refreshed' in v && 'roles' in v;
}

/** `refreshed` (what was re-signed; `[]` when nothing was due) and the trust health. */
function reportRefresh(c: MainCore, report: SummaryReport, results: RefreshResult[]): void {
  c.setOutput('refreshed', refreshedOutput(results.flatMap((r) => r.refreshed)));
  report.health = results.map((r) => ({
    gun: r.gun,
    roles: r.roles,
    changed: r.refreshed.map((x) => x.role),
  }));
}

function isSignerChange(v: unknown): v is SignerChange {
  return typeof v === 'object' && v !== null && 'signer' in v && 'result' in v;
}

/**
 * `signed` (sign, revoke) or `verified` (verify), plus `digests`. The other JSON output is
 * left unset rather than `[]`, so `if: steps.x.outputs.signed` tells which command ran.
 */
function setOutputs(c: MainCore, command: Command, tags: SignedTag[] | VerifiedTag[]): void {
  if (isSignerCommand(command)) return; // the job summary lists what they changed
  if (command === 'verify') c.setOutput('verified', verifiedOutput(tags as VerifiedTag[]));
  else c.setOutput('signed', signedOutput(tags as SignedTag[]));
  c.setOutput('digests', digestsOutput(tags));
}

import { DctError } from '../errors.js';

export interface ImageRef {
  /** The text the user gave. */
  input: string;
  /** `docker.io`, `host`, `host:port`, `[::1]:5000`. */
  registry: string;
  /** Path on the registry, e.g. `library/alpine`. */
  repository: string;
  tag: string;
  /** `sha256:<hex>` when the reference pinned one. */
  digest?: string;
  /** registry + "/" + repository: the trust repository name (notary-spec.md §7.5). */
  gun: string;
  /** Host[:port] serving the registry API: `registry-1.docker.io` for docker.io. */
  apiHost: string;
}

// The grammar of distribution/reference (regexp.go), which docker's ParseNormalizedNamed uses.
const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const REMOTE_NAME = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const DOMAIN_AND_PORT = `(?:${DOMAIN_NAME}|${IPV6})(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';

const NAME_RE = new RegExp(`^(?:(${DOMAIN_AND_PORT})/)?(${REMOTE_NAME})$`);
const REFERENCE_RE = new RegExp(
  `^((?:${DOMAIN_AND_PORT}/)?${REMOTE_NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`,
);
const IDENTIFIER_RE = /^[a-f0-9]{64}$/;
const NAME_TOTAL_LENGTH_MAX = 255;

const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const DOCKER_HUB_API_HOST = 'registry-1.docker.io';

/** A trust repository named by a reference whose tag (if any) does not matter. */
export type RepositoryRef = Omit<ImageRef, 'tag' | 'digest'> & { tag?: string };

/**
 * Parses an image reference as docker's `reference.ParseNormalizedNamed` does, then demands
 * a tag: a tag is what gets signed (notary-spec.md §8), so there is no implicit `latest` and
 * digest-only references are refused.
 */
export function parseImageRef(s: string): ImageRef {
  // The failure line names the image; the message says what is wrong with it, once.
  const bad = (why: string): DctError =>
    new DctError(
      'IMAGE_REF_INVALID',
      `\`images\` holds an invalid image reference: ${why}${why.includes('expected') ? '' : '; expected host[:port]/path/name:tag'}`,
    );
  const { ref, tag, digest } = parseReference(s, bad);
  if (tag === undefined) {
    if (digest !== undefined) {
      throw bad('a digest-only reference cannot be signed: add a tag (name:tag@sha256:…)');
    }
    throw bad('no tag: add a tag, e.g. ":1.0" (there is no implicit "latest")');
  }
  const out: ImageRef = { ...ref, tag };
  if (digest !== undefined) {
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) {
      throw bad('the pinned digest must be sha256:<64 lowercase hex digits>');
    }
    out.digest = digest;
  }
  return out;
}

/**
 * A repository name as docker's trust commands take it (`signer add`, `key rotate`): the same
 * grammar, a tag allowed and ignored, no digest.
 */
export function parseRepositoryRef(s: string): RepositoryRef {
  const bad = (why: string): DctError =>
    new DctError(
      'REPOSITORY_INVALID',
      `invalid repository name: ${why}${why.includes('expected') ? '' : '; expected [host[:port]/]path/name'}`,
    );
  const { ref, tag, digest } = parseReference(s, bad);
  if (digest !== undefined) throw bad('a digest does not name a repository');
  return tag === undefined ? ref : { ...ref, tag };
}

function parseReference(
  s: string,
  bad: (why: string) => DctError,
): { ref: RepositoryRef; tag?: string; digest?: string } {
  if (s === '') throw bad('it is empty');
  if (IDENTIFIER_RE.test(s)) throw bad('a 64-hex identifier is not a repository name');

  const [domain, remainder] = splitDockerDomain(s);
  const tagSep = remainder.indexOf(':');
  const remote = tagSep >= 0 ? remainder.slice(0, tagSep) : remainder;
  if (remote.toLowerCase() !== remote) {
    throw bad(`repository name "${remote}" must be lowercase`);
  }
  const full = `${domain}/${remainder}`;
  const m = REFERENCE_RE.exec(full);
  if (m === null) {
    if (REFERENCE_RE.test(full.toLowerCase())) throw bad('repository name must be lowercase');
    throw bad('expected [host[:port]/]path/name:tag[@sha256:<hex>]');
  }
  const name = m[1];
  if (name.length > NAME_TOTAL_LENGTH_MAX) {
    throw bad(`the name is longer than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }
  const nm = NAME_RE.exec(name)!;
  const registry = nm[1];
  const repository = nm[2];
  const ref: RepositoryRef = {
    input: s,
    registry,
    repository,
    gun: `${registry}/${repository}`,
    apiHost: registry === DEFAULT_DOMAIN ? DOCKER_HUB_API_HOST : registry,
  };
  const out: { ref: RepositoryRef; tag?: string; digest?: string } = { ref };
  if (m[2] !== undefined) out.tag = m[2];
  if (m[3] !== undefined) out.digest = m[3];
  return out;
}

/** Mirrors distribution/reference `splitDockerDomain` (normalize.go). */
function splitDockerDomain(name: string): [string, string] {
  const slash = name.indexOf('/');
  if (slash < 0) return [DEFAULT_DOMAIN, `library/${name}`];
  const maybeDomain = name.slice(0, slash);
  const maybeRemote = name.slice(slash + 1);
  let domain: string;
  let remote: string;
  if (maybeDomain === 'localhost') {
    [domain, remote] = [maybeDomain, maybeRemote];
  } else if (maybeDomain === LEGACY_DEFAULT_DOMAIN) {
    [domain, remote] = [DEFAULT_DOMAIN, maybeRemote];
  } else if (/[.:]/.test(maybeDomain)) {
    [domain, remote] = [maybeDomain, maybeRemote];
  } else if (maybeDomain.toLowerCase() !== maybeDomain) {
    // Namespaces are lowercase, so an uppercase first element can only be a host name.
    [domain, remote] = [maybeDomain, maybeRemote];
  } else {
    [domain, remote] = [DEFAULT_DOMAIN, name];
  }
  if (domain === DEFAULT_DOMAIN && !remote.includes('/')) remote = `library/${remote}`;
  return [domain, remote];
}

/** Checks a `sha256:<64 lowercase hex>` digest; `inputName` names where it came from. */
export function parseDigest(s: string, inputName: string): string {
  const v = s.trim();
  if (/^sha256:[0-9a-f]{64}$/.test(v)) return v;
  let why = 'expected sha256:<64 lowercase hex digits>';
  if (/^sha256:[0-9a-fA-F]{64}$/.test(v)) why = 'the hex digits must be lowercase';
  else if (/^[0-9a-f]{64}$/.test(v)) why = 'the "sha256:" prefix is missing';
  else if (/^[A-Za-z0-9+._-]+:/.test(v) && !v.startsWith('sha256:')) {
    why = 'only sha256 digests are supported';
  }
  throw new DctError('DIGEST_INVALID', `invalid digest "${v}" in ${inputName}: ${why}`);
}

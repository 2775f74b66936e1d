import { oneLine } from '../errors.js';
import { HttpError, errorList, hostOf, type HttpResponse } from '../http/client.js';

interface ServerError {
  code?: unknown;
  message?: unknown;
  detail?: unknown;
}

/** What the request was, so the message can say what failed. */
export interface NotaryErrorContext {
  gun: string;
  /** e.g. "publish", "fetch root.json", "get the timestamp key". */
  action: string;
  /** Role names uploaded, for the INVALID_ROLE explanation. */
  roles?: string[];
  /** Whether the request needed push (publish, keys) or only pull. */
  write?: boolean;
}

/**
 * Turns a trust server's non-success answer into a DctError (notary-spec.md §5.2, §5.6).
 * The HttpError keeps the status and the body for whoever needs more than the message.
 */
export function notaryError(res: HttpResponse, ctx: NotaryErrorContext): HttpError {
  const host = hostOf(res.url);
  const first = firstError(res.body);
  // Server text goes into one-line messages: error codes are short upper-case words.
  const serverCode =
    typeof first?.code === 'string' && /^[A-Z_]{1,40}$/.test(first.code) ? first.code : undefined;
  const make = (code: string, message: string): HttpError =>
    new HttpError(code, message, { url: res.url, status: res.status, body: res.body });

  if (res.status === 401 || res.status === 403) {
    return make(
      'NOTARY_UNAUTHORIZED',
      `${host} refused to ${ctx.action} for ${ctx.gun} (HTTP ${res.status}): check registry-username/registry-password — the token service must grant ${ctx.write === true ? 'push and pull' : 'pull'} on ${ctx.gun}`,
    );
  }
  if (res.status === 404) {
    return make(
      'NOTARY_NOT_FOUND',
      `${host} has no ${ctx.action === 'publish' ? 'publish endpoint' : 'such resource'} for ${ctx.gun} (HTTP 404, ${serverCode ?? 'no error code'}); is ${host} a notary server?`,
    );
  }
  if (res.status >= 500) {
    return make(
      'NOTARY_SERVER_ERROR',
      `${host} failed to ${ctx.action} for ${ctx.gun} (HTTP ${res.status}${serverCode === undefined ? '' : ` ${serverCode}`}); try again later`,
    );
  }
  if (res.status === 400) {
    switch (serverCode) {
      case 'VERSION':
        // The caller re-reads the server and retries; keep this distinct.
        return make(
          'NOTARY_VERSION',
          `${host} already holds a newer version of the metadata of ${ctx.gun}; another publish raced this one`,
        );
      case 'INVALID_GUN':
        return make(
          'NOTARY_INVALID_GUN',
          `${host} does not serve ${ctx.gun}${describeDetail(first?.detail)}; check the image name or \`trust-server\``,
        );
      case 'INVALID_UPDATE':
        // notary-spec.md §5.3: the client holds the snapshot key and sent no snapshot.
        if (isMissingSnapshot(first?.detail)) {
          return make(
            'NOTARY_SNAPSHOT_KEY_MISSING',
            `${host} does not hold the snapshot key of ${ctx.gun}, and the update carried no snapshot`,
          );
        }
        return make(
          'NOTARY_REJECTED',
          `${host} rejected the ${ctx.action} for ${ctx.gun}: INVALID_UPDATE${describeDetail(first?.detail)}`,
        );
      case 'INVALID_ROLE': {
        const cut = (ctx.roles ?? []).filter((r) => r.includes('/'));
        const detail =
          typeof first?.detail === 'string' ? oneLine(first.detail, { max: 100 }) : undefined;
        if (cut.length > 0) {
          // notary-spec.md §5.3: servers built with Go ≥1.17 before notary's filename fix cut
          // "targets/releases" to "releases" (notaryproject/notary#1630).
          return make(
            'NOTARY_REJECTED',
            `${host} rejected role "${detail ?? '?'}" when publishing ${cut.join(', ')} for ${ctx.gun}: this notary-server cuts delegation file names at "/" (notaryproject/notary#1630); upgrade the server or sign with the repository (targets) key only`,
          );
        }
        return make(
          'NOTARY_REJECTED',
          `${host} rejected role "${detail ?? '?'}" for ${ctx.gun} (INVALID_ROLE)`,
        );
      }
      default:
        return make(
          'NOTARY_REJECTED',
          `${host} rejected the ${ctx.action} for ${ctx.gun}: ${serverCode ?? 'no error code'}${describeDetail(first?.detail)}`,
        );
    }
  }
  return make(
    'NOTARY_SERVER_ERROR',
    `${host} answered HTTP ${res.status} to ${ctx.action} for ${ctx.gun}${serverCode === undefined ? '' : ` (${serverCode})`}`,
  );
}

/** `{"Name":"ErrBadHierarchy","Error":{"Missing":"snapshot",…}}` (notary-spec.md §5.6). */
function isMissingSnapshot(detail: unknown): boolean {
  if (detail === null || typeof detail !== 'object') return false;
  const d = detail as { Name?: unknown; Error?: { Missing?: unknown } | null };
  return d.Name === 'ErrBadHierarchy' && d.Error?.Missing === 'snapshot';
}

function firstError(body: Buffer): ServerError | undefined {
  const e = errorList(body)?.[0];
  return e !== null && typeof e === 'object' ? e : undefined;
}

/** ` (ErrBadTargets: valid signatures did not meet threshold for targets)` from a detail. */
function describeDetail(detail: unknown): string {
  if (typeof detail === 'string') return detail === '' ? '' : ` (${oneLine(detail, { max: 300 })})`;
  if (Array.isArray(detail)) {
    const text = detail.filter((d) => typeof d === 'string').join(', ');
    return text === '' ? '' : ` (${oneLine(text, { max: 300 })})`;
  }
  if (detail === null || typeof detail !== 'object') return '';
  const d = detail as { Name?: unknown; Error?: unknown };
  const name = typeof d.Name === 'string' ? d.Name : undefined;
  const err =
    d.Error !== null && typeof d.Error === 'object' ? (d.Error as Record<string, unknown>) : {};
  const msg = typeof err.Msg === 'string' ? err.Msg : undefined;
  const missing = typeof err.Missing === 'string' ? ` (missing ${err.Missing})` : '';
  if (name === undefined && msg === undefined) return '';
  return ` (${[name, msg === undefined ? undefined : oneLine(msg, { max: 300 }) + missing].filter((x) => x !== undefined).join(': ')})`;
}

import { randomBytes } from 'node:crypto';

/**
 * A multipart/form-data body as Go's `multipart.Writer.CreateFormFile("files", role)` writes
 * it (notary-spec.md §5.3): one part per role file with its exact bytes, parts in the map's
 * order, a random 60-hex boundary like Go's.
 */
export function multipartBody(
  files: Map<string, Buffer>,
  boundary: string = randomBytes(30).toString('hex'),
): { body: Buffer; contentType: string } {
  const parts: Buffer[] = [];
  let first = true;
  for (const [role, bytes] of files) {
    const head =
      `${first ? '' : '\r\n'}--${boundary}\r\n` +
      `Content-Disposition: form-data; name="files"; filename="${escapeQuotes(role)}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n';
    parts.push(Buffer.from(head, 'utf8'), bytes);
    first = false;
  }
  parts.push(Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8'));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Go mime/multipart escapeQuotes: backslash and double quote are backslash-escaped. */
function escapeQuotes(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

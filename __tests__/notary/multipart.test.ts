import { describe, expect, it } from 'vitest';
import { multipartBody } from '../../src/notary/multipart.js';

describe('multipartBody', () => {
  it('writes the parts exactly as Go CreateFormFile does', () => {
    const files = new Map([
      ['root', Buffer.from('{"signed":1}')],
      ['targets/releases', Buffer.from([0x7b, 0x00, 0xff, 0x7d])],
    ]);
    const { body, contentType } = multipartBody(files, 'BOUNDARY');
    expect(contentType).toBe('multipart/form-data; boundary=BOUNDARY');
    const expected = Buffer.concat([
      Buffer.from(
        '--BOUNDARY\r\n' +
          'Content-Disposition: form-data; name="files"; filename="root"\r\n' +
          'Content-Type: application/octet-stream\r\n' +
          '\r\n' +
          '{"signed":1}' +
          '\r\n--BOUNDARY\r\n' +
          'Content-Disposition: form-data; name="files"; filename="targets/releases"\r\n' +
          'Content-Type: application/octet-stream\r\n' +
          '\r\n',
      ),
      Buffer.from([0x7b, 0x00, 0xff, 0x7d]),
      Buffer.from('\r\n--BOUNDARY--\r\n'),
    ]);
    expect(body.equals(expected)).toBe(true);
  });

  it('escapes quotes and backslashes in the file name', () => {
    const { body } = multipartBody(new Map([['a"b\\c', Buffer.from('x')]]), 'B');
    expect(body.toString()).toContain('filename="a\\"b\\\\c"');
  });

  it('makes a fresh 60-hex boundary per body', () => {
    const files = new Map([['targets', Buffer.from('x')]]);
    const a = multipartBody(files).contentType;
    const b = multipartBody(files).contentType;
    expect(a).toMatch(/^multipart\/form-data; boundary=[0-9a-f]{60}$/);
    expect(a).not.toBe(b);
  });

  it('is parsed back into the same files by a standard multipart parser', async () => {
    const files = new Map([
      ['targets', Buffer.from('{"a":"<&>"}')],
      ['snapshot', Buffer.from('--not-a-boundary\r\n')],
    ]);
    const { body, contentType } = multipartBody(files);
    const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
    const parts = form.getAll('files') as File[];
    expect(parts.map((p) => p.name)).toEqual(['targets', 'snapshot']);
    for (const p of parts) {
      expect(Buffer.from(await p.arrayBuffer()).equals(files.get(p.name)!)).toBe(true);
      expect(p.type).toBe('application/octet-stream');
    }
  });
});

import { describe, expect, it } from 'vitest';
import { redact } from '../../scripts/lib/redact.js';

describe('redact', () => {
  it('masks credentials in URLs: user info and credential query parameters', () => {
    expect(redact('could not download https://me:s3cret@docs.example/spec.json?v=2&api_key=abc123&x=1')).toBe(
      'could not download https://[redacted]@docs.example/spec.json?v=2&api_key=[redacted]&x=1',
    );
    expect(redact('http://h/p?token=t0k&sig=zz#frag')).toBe('http://h/p?token=[redacted]&sig=[redacted]#frag');
  });

  it('escapes control characters, keeping line breaks and tabs', () => {
    expect(redact('schema \u001b[31mRed\u001b[0m: + property a\tb\nnext\r')).toBe(
      'schema \\u001b[31mRed\\u001b[0m: + property a\tb\nnext\\u000d',
    );
  });

  it('leaves ordinary report lines alone', () => {
    const line = 'operation patchExpiringTargets: ~ summary: "Update expiring context targets on feature flag" → "Update or copy …"';
    expect(redact(line)).toBe(line);
  });
});

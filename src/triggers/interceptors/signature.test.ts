// go-github ValidateSignature semantics, checked on every vector of
// ../shared/conformance/triggers/vectors/signature-vectors.json and on the saved payload files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { signBody, validateSignature, goHexDecode, constantTimeEqual } from './signature.ts';

const CONFORMANCE = resolve(import.meta.dirname, '../../../../shared/conformance/triggers');
const VECTORS = resolve(CONFORMANCE, 'vectors/signature-vectors.json');
const skip = existsSync(VECTORS) ? false : `conformance data not found at ${CONFORMANCE} (../shared is absent): skipping signature vectors`;

interface SignatureVectors {
  vectors: { origin: string; secret: string; body?: string; bodyFile?: string; header: string; value: string }[];
  signed_payload_files: { file: string; secret: string; 'X-Hub-Signature-256': string; 'X-Hub-Signature': string; bytes: number }[];
}
const data: SignatureVectors | undefined = skip ? undefined : JSON.parse(readFileSync(VECTORS, 'utf8'));

test('signature-vectors.json: every HMAC vector signs and validates', { skip }, async (t) => {
  let passed = 0;
  const hmacVectors = data!.vectors.filter((v) => v.header !== 'X-GitLab-Token');
  for (const v of hmacVectors) {
    await t.test(v.origin, () => {
      const alg = v.value.split('=')[0] as 'sha1' | 'sha256';
      assert.equal(signBody(v.body!, v.secret, alg), v.value);
      assert.equal(validateSignature(v.value, v.body!, v.secret), undefined);
      assert.equal(validateSignature(v.value, v.body!, v.secret + 'x'), 'payload signature check failed');
      assert.equal(validateSignature(v.value, v.body! + ' ', v.secret), 'payload signature check failed');
      passed++;
    });
  }
  assert.equal(passed, hmacVectors.length);
});

test('signature-vectors.json: signed_payload_files, sha256 and sha1, over the exact file bytes', { skip }, async (t) => {
  for (const f of data!.signed_payload_files) {
    await t.test(f.file, () => {
      const raw = readFileSync(resolve(CONFORMANCE, f.file));
      assert.equal(raw.length, f.bytes);
      const body = raw.toString('utf8');
      assert.equal(validateSignature(f['X-Hub-Signature-256'], body, f.secret), undefined);
      assert.equal(validateSignature(f['X-Hub-Signature'], body, f.secret), undefined);
      assert.equal(signBody(raw, f.secret, 'sha256'), f['X-Hub-Signature-256']);
      // one byte changed, or re-serialised JSON: the HMAC is over the raw body
      assert.equal(validateSignature(f['X-Hub-Signature-256'], JSON.stringify(JSON.parse(body), null, 1), f.secret), 'payload signature check failed');
      assert.equal(validateSignature(f['X-Hub-Signature-256'], body.replace(/.$/s, ' '), f.secret), 'payload signature check failed');
    });
  }
});

test('validateSignature: go-github error texts', () => {
  const cases: { name: string; sig: string; want: string | undefined }[] = [
    { name: 'valid sha256', sig: 'sha256=77325902caca812dc259733aacd046b73817372c777b8d95b402647474516e13', want: undefined },
    { name: 'valid sha1', sig: signBody('{}', 'secret', 'sha1'), want: undefined },
    { name: 'valid sha512', sig: signBody('{}', 'secret', 'sha512'), want: undefined },
    { name: 'empty', sig: '', want: 'missing signature' },
    { name: 'no =', sig: 'abcdef', want: 'error parsing signature "abcdef"' },
    { name: 'unknown prefix', sig: 'md5=abcd', want: 'unknown hash type prefix: "md5"' },
    { name: 'upper-case prefix is unknown', sig: 'SHA256=abcd', want: 'unknown hash type prefix: "SHA256"' },
    { name: 'bad hex', sig: 'sha256=zz', want: `error decoding signature "sha256=zz": encoding/hex: invalid byte: U+007A 'z'` },
    { name: 'odd hex', sig: 'sha256=abc', want: 'error decoding signature "sha256=abc": encoding/hex: odd length hex string' },
    { name: 'odd hex, bad last byte', sig: 'sha256=abg', want: `error decoding signature "sha256=abg": encoding/hex: invalid byte: U+0067 'g'` },
    { name: 'truncated mac', sig: 'sha256=7732', want: 'payload signature check failed' },
    { name: 'sha1 mac under sha256 prefix', sig: 'sha256=' + signBody('{}', 'secret', 'sha1').slice(5), want: 'payload signature check failed' },
    { name: 'upper-case hex is accepted', sig: 'sha256=77325902CACA812DC259733AACD046B73817372C777B8D95B402647474516E13', want: undefined },
  ];
  for (const c of cases) assert.equal(validateSignature(c.sig, '{}', 'secret'), c.want, c.name);
});

test('goHexDecode and constantTimeEqual', () => {
  assert.deepEqual(goHexDecode('00ff'), new Uint8Array([0, 255]));
  assert.deepEqual(goHexDecode('0\n'), { error: 'encoding/hex: invalid byte: U+000A' });
  assert.equal(constantTimeEqual('abc', 'abc'), true);
  assert.equal(constantTimeEqual('abc', 'abd'), false);
  assert.equal(constantTimeEqual('abc', 'abcd'), false);
  assert.equal(constantTimeEqual('', ''), true);
});

// go-github's ValidateSignature (github/messages.go), which Tekton's GitHub and Bitbucket
// interceptors call: `<alg>=<hex>` with alg sha1, sha256 or sha512, an HMAC over the exact raw
// body, compared in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';

const ALGORITHMS: Record<string, string> = { sha1: 'sha1', sha256: 'sha256', sha512: 'sha512' };

/** Go's `subtle.ConstantTimeCompare` over UTF-8 bytes (lengths may leak, contents do not). */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Go's `%q` of an ASCII string (JSON's quoting agrees for printable ASCII). */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Go's `%#U` of a byte, as encoding/hex's InvalidByteError prints it: `U+0067 'g'`. */
function goRune(b: number): string {
  const code = `U+${b.toString(16).toUpperCase().padStart(4, '0')}`;
  const printable = (b >= 0x20 && b < 0x7f) || (b >= 0xa0 && b !== 0xad);
  return printable ? `${code} '${String.fromCharCode(b)}'` : code;
}

/** Go's `hex.DecodeString`, with its error texts. */
export function goHexDecode(s: string): Uint8Array | { error: string } {
  const src = Buffer.from(s, 'latin1');
  const isHex = (b: number): boolean => (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46);
  let j = 1;
  for (; j < src.length; j += 2) {
    if (!isHex(src[j - 1])) return { error: `encoding/hex: invalid byte: ${goRune(src[j - 1])}` };
    if (!isHex(src[j])) return { error: `encoding/hex: invalid byte: ${goRune(src[j])}` };
  }
  if (src.length % 2 === 1) {
    if (!isHex(src[j - 1])) return { error: `encoding/hex: invalid byte: ${goRune(src[j - 1])}` };
    return { error: 'encoding/hex: odd length hex string' };
  }
  return new Uint8Array(Buffer.from(s, 'hex'));
}

/** Computes `<alg>=<hex HMAC(secret, body)>` (what GitHub sends in X-Hub-Signature-256 for `sha256`). */
export function signBody(body: string | Uint8Array, secret: string, alg: 'sha1' | 'sha256' | 'sha512' = 'sha256'): string {
  return `${alg}=${createHmac(alg, secret).update(body).digest('hex')}`;
}

/**
 * go-github's `ValidateSignature(signature, payload, secret)`: undefined when the signature is
 * right, else its error text ("missing signature", "error parsing signature …", "unknown hash type
 * prefix: …", "error decoding signature …", "payload signature check failed").
 */
export function validateSignature(signature: string, payload: string | Uint8Array, secret: string): string | undefined {
  if (signature === '') return 'missing signature';
  const eq = signature.indexOf('=');
  if (eq < 0) return `error parsing signature ${goQuote(signature)}`;
  const prefix = signature.slice(0, eq);
  const alg = Object.hasOwn(ALGORITHMS, prefix) ? ALGORITHMS[prefix] : undefined;
  if (!alg) return `unknown hash type prefix: ${goQuote(prefix)}`;
  const mac = goHexDecode(signature.slice(eq + 1));
  if (!(mac instanceof Uint8Array)) return `error decoding signature ${goQuote(signature)}: ${mac.error}`;
  const expected = createHmac(alg, secret).update(payload).digest();
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return 'payload signature check failed';
  return undefined;
}

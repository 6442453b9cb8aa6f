// The tar archives of Tekton bundle layers: one regular file per archive (written as ustar, with
// a PAX record for names longer than 100 bytes) and the first regular file read back (PAX and GNU
// long-name entries skipped, checksums checked so text that is not tar is recognised).

const BLOCK = 512;

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, size: number, type: string): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(0o600, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(0, 12), 136, 'ascii');
  h.write(type, 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.fill(' ', 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

function padded(body: Buffer): Buffer[] {
  const rest = body.length % BLOCK;
  return rest ? [body, Buffer.alloc(BLOCK - rest)] : [body];
}

/** A PAX record `"<len> path=<name>\n"`, its length counting its own digits. */
function paxPath(name: string): Buffer {
  const tail = ` path=${name}\n`;
  const bytes = Buffer.byteLength(tail);
  let len = bytes + 1;
  while (String(len).length + bytes !== len) len = String(len).length + bytes;
  return Buffer.from(`${len}${tail}`);
}

/** A tar archive holding one regular file `name` (mode 0600, mtime 0), ended by two empty blocks. */
export function tarOneFile(name: string, content: Buffer): Buffer {
  const parts: Buffer[] = [];
  if (Buffer.byteLength(name) > 100) {
    const pax = paxPath(name);
    parts.push(header('PaxHeaders/object', pax.length, 'x'), ...padded(pax));
  }
  parts.push(header(Buffer.from(name).subarray(0, 100).toString('utf8'), content.length, '0'), ...padded(content), Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

/** Whether a 512-byte block is a tar header: its checksum (signed or unsigned) matches. */
function validHeader(h: Buffer): boolean {
  const text = h.toString('ascii', 148, 156).replace(/\0.*$/s, '').trim();
  if (!/^[0-7]+$/.test(text)) return false;
  const want = parseInt(text, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : h[i];
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return want === unsigned || want === signed;
}

function sizeOf(h: Buffer): number {
  const text = h.toString('ascii', 124, 136).replace(/\0.*$/s, '').trim();
  return text ? parseInt(text, 8) : 0;
}

/**
 * The content of the first regular file of a tar archive; undefined when `archive` is not tar
 * (or holds no regular file).
 */
export function firstTarFile(archive: Buffer): Buffer | undefined {
  let off = 0;
  while (off + BLOCK <= archive.length) {
    const h = archive.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) return undefined;
    if (!validHeader(h)) return undefined;
    const size = sizeOf(h);
    const type = String.fromCharCode(h[156]);
    const start = off + BLOCK;
    if (start + size > archive.length) return undefined;
    if (type === '0' || type === '\0' || type === '7') return archive.subarray(start, start + size);
    off = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  return undefined;
}

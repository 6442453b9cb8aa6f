import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base64Core, compileMasker, maskPatterns, maskValues, MAX_ENCODED_LENGTH, MIN_MASKED_LENGTH, planMasker } from './mask.ts';
import type { ExecutionPlan } from './executor.ts';
import type { Masker } from './mask.ts';

function masker(...values: string[]): Masker {
  const m = compileMasker(values);
  assert.ok(m, 'a masker');
  return m;
}

/** Feeds `chunks` through one stream filter and returns everything it wrote. */
function through(m: Masker, chunks: string[]): string {
  const f = m.filter();
  const out = chunks.map((c) => f.write(Buffer.from(c)));
  out.push(f.end());
  return Buffer.concat(out).toString();
}

const PEM = '-----BEGIN KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\nKUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQ\n-----END KEY-----\n';

test('masks every occurrence of a value, its lines, its JSON and base64 forms', () => {
  const cases = [
    { name: 'plain value', values: ['hunter22'], text: 'pw=hunter22; again hunter22.', want: 'pw=***; again ***.' },
    { name: 'value at the very start and end', values: ['s3cr3t'], text: 's3cr3t', want: '***' },
    { name: 'no secret in the text', values: ['s3cr3t'], text: 'nothing here, s3cr and 3t', want: 'nothing here, s3cr and 3t' },
    { name: 'several secrets', values: ['alpha-1', 'beta-22'], text: 'a=alpha-1 b=beta-22', want: 'a=*** b=***' },
    { name: 'each line of a multi-line value', values: [PEM], text: 'line 2 alone: MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu!', want: 'line 2 alone: ***!' },
    { name: 'a multi-line value printed whole', values: [PEM], text: `>${PEM}<`, want: '>***<' },
    { name: 'a line of a trailing-newline value', values: ['token-value\n'], text: 'T=token-value.', want: 'T=***.' },
    { name: 'base64 of the value alone', values: ['hunter22'], text: `b64 ${Buffer.from('hunter22').toString('base64')} end`, want: 'b64 *** end' },
    { name: 'JSON form of a value with quotes', values: ['pa"ss\\wd'], text: JSON.stringify({ p: 'pa"ss\\wd' }), want: '{"p":"***"}' },
    { name: 'overlapping secrets are one region', values: ['abcdef', 'defghi'], text: 'xabcdefghiy', want: 'x***y' },
    { name: 'a secret inside a longer one', values: ['password-long', 'word'], text: '[password-long] [word]', want: '[***] [***]' },
    { name: 'adjacent secrets stay two', values: ['abcd', 'efgh'], text: 'abcdefgh', want: '******' },
    { name: 'non-ASCII value', values: ['clé-secrète'], text: 'k=clé-secrète', want: 'k=***' },
  ];
  for (const c of cases) assert.equal(masker(...c.values).mask(c.text), c.want, c.name);
});

test(`values and lines shorter than ${MIN_MASKED_LENGTH} characters are not masked (they would mask noise)`, () => {
  assert.equal(compileMasker(['', 'a', 'on', 'yes']), undefined);
  assert.equal(masker('yes', 'long-enough').mask('yes: long-enough'), 'yes: ***');
  // a multi-line value: its short lines stay, the long ones and the whole value go
  const m = masker('ab\nlonger-line\n');
  assert.equal(m.mask('ab cd longer-line'), 'ab cd ***');
  assert.ok(!maskPatterns(['ab\nlonger-line\n']).includes('ab'));
});

test('a value is masked inside a longer base64 text at every alignment', () => {
  const secret = 'correct horse battery';
  const m = masker(secret);
  for (const before of ['', 'x', 'xy', 'xyz']) {
    for (const after of ['', '!', '!!', '\n']) {
      const encoded = Buffer.from(`${before}${secret}${after}`).toString('base64');
      const shown = m.mask(encoded);
      assert.ok(shown.includes('***'), `${before}|${after}: ${shown}`);
      // what is left encodes the neighbours, plus one character on each side shared with the value, plus padding
      const neighbours = Math.ceil(((before.length + after.length) * 4) / 3);
      assert.ok(shown.replace('***', '').length <= neighbours + 4, `${before}|${after}: ${shown}`);
    }
  }
});

test('base64Core keeps only the characters that depend on the value alone', () => {
  const v = Buffer.from('hello world');
  for (const shift of [0, 1, 2]) {
    const core = base64Core(v, shift);
    for (const prefix of ['a', 'bb', 'ccc', 'dddd'].filter((p) => p.length % 3 === shift)) {
      for (const suffix of ['', 'Z', 'ZZ']) assert.ok(Buffer.from(`${prefix}hello world${suffix}`).toString('base64').includes(core), `${shift} ${prefix} ${suffix}`);
    }
  }
});

test('a value split across writes is still masked, whatever the split', () => {
  const secret = 'split-me-secret';
  const text = `before ${secret} middle ${secret}${secret} after ${Buffer.from(secret).toString('base64')}`;
  const m = masker(secret);
  const whole = m.mask(text);
  assert.equal(whole, 'before *** middle ****** after ***');
  for (let i = 0; i <= text.length; i++) {
    for (const j of [i, i + 1, i + 5, i + 17]) {
      if (j > text.length) continue;
      assert.equal(through(m, [text.slice(0, i), text.slice(i, j), text.slice(j)]), whole, `split at ${i},${j}`);
    }
  }
  assert.equal(through(m, [...text]), whole, 'one byte per write');
});

test('holds back only the tail that could start a secret', () => {
  const m = masker('secret-value');
  const f = m.filter();
  assert.equal(f.write(Buffer.from('hello secret-')).toString(), 'hello ');
  assert.equal(f.write(Buffer.from('va')).toString(), '');
  assert.equal(f.write(Buffer.from('lue and more')).toString(), '*** and more');
  assert.equal(f.write(Buffer.from('tail secret-v')).toString(), 'tail ');
  assert.equal(f.end().toString(), 'secret-v', 'a secret that never completed is written as it was');
});

test('a tail that is not a prefix of any secret is written at once', () => {
  const f = masker('secret-value').filter();
  assert.equal(f.write(Buffer.from('no secrets here: secrex')).toString(), 'no secrets here: secrex');
  assert.equal(f.end().length, 0);
});

test('streams of one masker keep their own state', () => {
  const m = masker('shared-secret');
  const [a, b] = [m.filter(), m.filter()];
  const out = [a.write(Buffer.from('A:shared-')), b.write(Buffer.from('B:other ')), a.write(Buffer.from('secret.')), b.write(Buffer.from('secret.'))];
  assert.deepEqual(out.map(String), ['A:', 'B:other ', '***.', 'secret.']);
});

test(`a value over ${MAX_ENCODED_LENGTH} characters is masked by itself and its lines, without its encoded forms`, () => {
  const line = 'MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu';
  const bundle = `${line}\n`.repeat(Math.ceil(MAX_ENCODED_LENGTH / line.length));
  assert.deepEqual(maskPatterns([bundle]).sort(), [bundle, line].sort());
  assert.equal(masker(bundle).mask(`cert: ${line}.`), 'cert: ***.');
});

test('a plan without secrets has no masker (its output is not piped); one with them has one, compiled once', () => {
  const plan = (secrets?: string[]): ExecutionPlan => ({ id: 'ns/tr/0', namespace: 'ns', taskRunName: 'tr', steps: [], sidecars: [], volumes: [], results: [], secrets });
  assert.equal(planMasker(plan()), undefined);
  assert.equal(planMasker(plan([])), undefined);
  assert.equal(planMasker(plan(['no'])), undefined);
  const p = plan(['tok-1234']);
  assert.equal(planMasker(p), planMasker(p));
  assert.deepEqual(maskValues(planMasker(p), { a: 'x tok-1234', b: 'y' }), { a: 'x ***', b: 'y' });
  const values = { a: 'tok-1234' };
  assert.equal(maskValues(undefined, values), values);
});


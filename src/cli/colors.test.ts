import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colorWanted } from './colors.ts';

test('colour: a terminal gets it, a pipe or CI alone does not; NO_COLOR and FORCE_COLOR decide first', () => {
  const cases: Array<[string, NodeJS.ProcessEnv, boolean, boolean]> = [
    ['terminal', {}, true, true],
    ['pipe', {}, false, false],
    ['CI set, pipe', { CI: 'true' }, false, false],
    ['dumb terminal', { TERM: 'dumb' }, true, false],
    ['NO_COLOR on a terminal', { NO_COLOR: '1' }, true, false],
    ['empty NO_COLOR is unset', { NO_COLOR: '' }, true, true],
    ['FORCE_COLOR on a pipe', { FORCE_COLOR: '1' }, false, true],
    ['FORCE_COLOR=0', { FORCE_COLOR: '0' }, true, true],
    ['NO_COLOR wins over FORCE_COLOR', { NO_COLOR: '1', FORCE_COLOR: '1' }, true, false],
  ];
  for (const [name, env, tty, want] of cases) assert.equal(colorWanted(env, tty), want, name);
});

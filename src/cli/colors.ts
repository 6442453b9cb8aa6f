// When kiln's own output is coloured: only on a terminal. NO_COLOR turns colour off, FORCE_COLOR
// (non-empty, not "0") on. A CI variable alone does not: kiln's output is read by tools and tests
// there, and kubectl and tkn print plain text when they are not on a terminal too.
import picocolors from 'picocolors';

export function colorWanted(env: NodeJS.ProcessEnv, isTTY: boolean | undefined): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return isTTY === true && env.TERM !== 'dumb';
}

const pc = picocolors.createColors(colorWanted(process.env, process.stdout.isTTY));
export default pc;

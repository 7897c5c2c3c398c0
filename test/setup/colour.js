/**
 * Whether test output may carry ANSI colour codes. Logs, CI and pipes must get plain text, but
 * vitest's colour library looks at NO_COLOR, FORCE_COLOR and TERM, not at whether stdout is a
 * terminal; so test/setup/vitest.js decides here, by the usual conventions, and passes the answer
 * on as NO_COLOR, which vitest, its workers and the processes the tests start all honour.
 */

/**
 * Colour only on a terminal; never with a non-empty NO_COLOR (no-color.org); FORCE_COLOR, unless
 * `0` or `false`, asks for colour even without a terminal.
 *
 * @param {Record<string, string | undefined>} env
 * @param {{ isTTY?: boolean }} stream
 * @returns {boolean}
 */
export function colourWanted(env = process.env, stream = process.stdout) {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  return stream.isTTY === true;
}

/**
 * Without colour, sets NO_COLOR=1 for this process and every process it starts later (test
 * workers, the CLI and Prism under test, npm), which all honour it.
 *
 * @returns {boolean} whether output must now be plain
 */
export function plainUnlessColourWanted() {
  if (colourWanted()) return false;
  process.env.NO_COLOR = '1';
  return true;
}

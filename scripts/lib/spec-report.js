// @ts-check
/**
 * The change report of `npm run spec:pull`, in three layers:
 *   (a) each upstream source against its previous vendored copy, on its own (after selection and
 *       conversion to 3.1, so only what concerns the four operations is compared);
 *   (b) the merged document before corrections;
 *   (c) the corrected bundle and the generated files (types, run-time rules).
 * A change in (a) that does not reach the merged document says which source wins there (or that
 * sources.yaml ignores it); a change in (a) or (b) that the corrections hide says which
 * corrections hide it; and every correction whose target changed upstream is listed as possibly
 * stale, with what upstream now says. Pure: documents in, lines out.
 */
import { diffLines } from 'diff';
import { select } from './overlay.js';
import { identityOf, isObject, isPrefix, sameValue, stableLocation, valueAt } from './locations.js';
import { diffDocuments, diffValues } from './spec-diff.js';

/**
 * @typedef {import('./spec-diff.js').Change} Change
 * @typedef {import('./locations.js').Location} Location
 * @typedef {import('./overlay.js').AppliedAction} AppliedAction
 * @typedef {Record<string, any>} Doc
 * @typedef {{ id: string, ignore?: readonly string[] | undefined, before: Doc | undefined, after: Doc }} SourcePair
 * @typedef {{ bundle: Doc | undefined, types: string | undefined, rules: string | undefined }} Outputs
 * @typedef {{ sources: SourcePair[], merged: { before: Doc, after: Doc },
 *   corrected: { before: Doc, after: Doc, applied: AppliedAction[], skippedBefore: AppliedAction[] },
 *   outputs: { before: Outputs, after: Outputs, names: { bundle: string, types: string, rules: string } } }} ReportInput
 * @typedef {{ line: string, flags: string[] }} Entry
 * @typedef {{ sources: { id: string, entries: Entry[] }[], merged: Entry[], stale: string[], outputs: Entry[] }} SpecReport
 */

/** @param {ReportInput} input @returns {SpecReport} */
export function buildReport(input) {
  const { merged, corrected } = input;
  /** @param {Change} change */
  const hiddenByCorrections = (change) =>
    shows(change, merged.before, merged.after) && !shows(change, corrected.before, corrected.after)
      ? [
          `hidden by corrections: ${actionsHiding(change, corrected.applied, merged.after, corrected.after).map(name).join(', ') || 'dropped as unused'}`,
        ]
      : [];

  const sources = input.sources.map((pair, index) => ({
    id: pair.id,
    entries: diffDocuments(pair.before, pair.after).map((change) => {
      // Reached the merge: the merged document changed there, to what this source now says.
      const reached = shows(change, merged.before, merged.after) && !shows(change, pair.after, merged.after);
      if (reached) return { line: change.line, flags: hiddenByCorrections(change) };
      return {
        line: change.line,
        flags: [`not in the merged document: ${whyNotMerged(change, pair, input.sources.slice(0, index), merged.after)}`],
      };
    }),
  }));

  const mergedChanges = diffDocuments(merged.before, merged.after);
  const mergedEntries = mergedChanges.map((change) => ({ line: change.line, flags: hiddenByCorrections(change) }));

  /** @type {string[]} */
  const stale = [];
  for (const action of corrected.applied) {
    const touched = mergedChanges.filter((change) => actionsHiding(change, [action], merged.after, corrected.after).length > 0);
    for (const change of touched) stale.push(`${name(action)} (${describe(action)}) may be stale: upstream now says ${change.line}`);
    if (corrected.skippedBefore.some((s) => s.index === action.index)) {
      stale.push(`${name(action)} (${describe(action)}) matched nothing in the previous upstream and matches now`);
    }
  }

  const { before, after, names } = input.outputs;
  const outputs = [
    ...diffDocuments(before.bundle, after.bundle).map((c) => ({ line: `${names.bundle}: ${c.line}`, flags: [] })),
    ...lineChanges(before.types, after.types).map((line) => ({ line: `${names.types}: ${line}`, flags: [] })),
    ...diffValues(rulesOf(before.rules), rulesOf(after.rules), '').map((c) => ({ line: `${names.rules}: ${c.line}`, flags: [] })),
  ];
  return { sources, merged: mergedEntries, stale, outputs };
}

/**
 * @typedef {{ seconds: number, peakRssMb: number, downloads: { id: string, bytes: number, parseMs?: number, selectMs?: number }[] }} Figures
 */

/** @param {SpecReport} report @param {Figures} [figures] @returns {string} */
export function formatReport(report, figures) {
  /** @param {Entry} e */
  const entry = (e) => (e.flags.length > 0 ? `${e.line}  [${e.flags.join('; ')}]` : e.line);
  const lines = ['(a) upstream sources, each against its previous vendored copy'];
  for (const source of report.sources) {
    if (source.entries.length === 0) lines.push(`  ${source.id}: no changes`);
    for (const e of source.entries) lines.push(`  ${source.id}: ${entry(e)}`);
  }
  lines.push('(b) merged document, before corrections');
  if (report.merged.length === 0) lines.push('  no changes');
  for (const e of report.merged) lines.push(`  ${entry(e)}`);
  lines.push('corrections that may be stale');
  if (report.stale.length === 0) lines.push('  none');
  for (const line of report.stale) lines.push(`  ${line}`);
  lines.push('(c) corrected bundle and generated files');
  if (report.outputs.length === 0) lines.push('  no changes');
  for (const e of report.outputs) lines.push(`  ${entry(e)}`);
  if (figures) {
    const downloads = figures.downloads.map((d) => {
      const steps = [
        d.parseMs === undefined ? '' : `parsed in ${d.parseMs} ms`,
        d.selectMs === undefined ? '' : `selected in ${d.selectMs} ms`,
      ].filter(Boolean);
      return `${d.id} ${d.bytes} bytes${steps.length > 0 ? ` (${steps.join(', ')})` : ''}`;
    });
    lines.push(
      `pulled and regenerated in ${figures.seconds.toFixed(2)} s, peak RSS ${Math.round(figures.peakRssMb)} MB; ${downloads.join('; ')}`,
    );
  }
  return lines.join('\n');
}

/**
 * Whether `change` shows between two documents: the value at its location differs, or for a
 * member of a set, the member's presence differs.
 * @param {Change} change @param {Doc} before @param {Doc} after
 */
function shows(change, before, after) {
  const was = valueAt(before, change.location);
  const is = valueAt(after, change.location);
  if (change.member === undefined) return !sameValue(was, is);
  const has = (/** @type {unknown} */ list) => Array.isArray(list) && list.some((m) => sameValue(m, change.member));
  return has(was) !== has(is);
}

/**
 * @param {Change} change @param {SourcePair} pair @param {SourcePair[]} earlier sources that win over `pair`
 * @param {Doc} mergedAfter
 */
function whyNotMerged(change, pair, earlier, mergedAfter) {
  for (const target of pair.ignore ?? []) {
    const ignored = select(pair.after, target).some((m) => isPrefix(stableLocation(pair.after, m.path), change.location));
    if (ignored) return `sources.yaml ignores ${target} in ${pair.id}`;
  }
  const winner = earlier.find((source) => states(source.after, change.location));
  if (winner) return `${winner.id} wins here`;
  // Another source said it already: the change brings the merged document nothing new.
  if (!shows(change, pair.after, mergedAfter)) return 'the merged document already says so';
  return 'not carried over';
}

/**
 * Whether a document decides the value at `location`: it has a value there, or above it a
 * reference, an array or a scalar, which the merge takes whole.
 * @param {Doc} document @param {Location} location
 */
function states(document, location) {
  /** @type {any} */
  let node = document;
  for (const step of location) {
    if (node === undefined) return false;
    if (!isObject(node) && !Array.isArray(node)) return true;
    if (Array.isArray(node)) {
      if (typeof step === 'number') return true;
      node = node.find((m) => identityOf(m) === step);
      continue;
    }
    if (typeof node.$ref === 'string' && step !== '$ref') return true;
    node = node[step];
  }
  return node !== undefined;
}

/**
 * The corrections deciding the content at the change's location: their footprint covers it or
 * lies inside it; or, for a component the corrections left unused (so it was dropped), the
 * corrections that removed the references to it.
 * @param {Change} change @param {AppliedAction[]} applied @param {Doc} mergedAfter @param {Doc} correctedAfter
 * @returns {AppliedAction[]}
 */
function actionsHiding(change, applied, mergedAfter, correctedAfter) {
  const overlapping = applied.filter((a) => a.footprint.some((f) => isPrefix(f, change.location) || isPrefix(change.location, f)));
  if (overlapping.length > 0) return overlapping;
  const component = change.location.slice(0, 3);
  if (change.location[0] !== 'components' || component.length < 3) return [];
  return droppedBy(component, applied, mergedAfter, correctedAfter, new Set());
}

/**
 * @param {Location} component @param {AppliedAction[]} applied @param {Doc} mergedAfter @param {Doc} correctedAfter @param {Set<string>} seen
 * @returns {AppliedAction[]}
 */
function droppedBy(component, applied, mergedAfter, correctedAfter, seen) {
  const key = component.join('/');
  if (seen.has(key) || valueAt(mergedAfter, component) === undefined || valueAt(correctedAfter, component) !== undefined) return [];
  seen.add(key);
  const ref = `#/${component.map((s) => String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
  /** @type {Set<AppliedAction>} */
  const found = new Set();
  for (const at of referencesTo(mergedAfter, ref)) {
    const direct = applied.filter((a) => a.footprint.some((f) => isPrefix(f, at)));
    for (const a of direct) found.add(a);
    if (direct.length === 0 && at[0] === 'components') {
      for (const a of droppedBy(at.slice(0, 3), applied, mergedAfter, correctedAfter, seen)) found.add(a);
    }
  }
  return [...found].sort((a, b) => a.index - b.index);
}

/**
 * Where `ref` is used: `$ref` members and discriminator mappings.
 * @param {unknown} root @param {string} ref @returns {Location[]}
 */
function referencesTo(root, ref) {
  /** @type {Location[]} */
  const found = [];
  /** @param {unknown} node @param {Location} at */
  const walk = (node, at) => {
    if (Array.isArray(node)) return node.forEach((v, i) => walk(v, [...at, identityOf(v) ?? i]));
    if (!isObject(node)) return;
    for (const [k, v] of Object.entries(node)) {
      if (v === ref && (k === '$ref' || at[at.length - 1] === 'mapping')) found.push([...at, k]);
      else walk(v, [...at, k]);
    }
  };
  walk(root, []);
  return found;
}

/** @param {AppliedAction} action */
function name(action) {
  return `correction ${action.index + 1}`;
}

/** @param {AppliedAction} action */
function describe(action) {
  return `${action.action.remove === true ? 'remove' : 'update'} ${action.action.target}`;
}

/**
 * The changed lines of a generated text file, trimmed, as `+ line` / `- line`.
 * @param {string | undefined} before @param {string | undefined} after
 */
function lineChanges(before, after) {
  if (before === after) return [];
  /** @type {string[]} */
  const out = [];
  for (const part of diffLines(before ?? '', after ?? '')) {
    if (!part.added && !part.removed) continue;
    for (const line of part.value.split('\n')) {
      const text = line.trim();
      if (text !== '') out.push(`${part.added ? '+' : '-'} ${text}`);
    }
  }
  return out;
}

/**
 * The rules of a generated instruction-rules.ts (written as JSON by rules.js): RESOURCE_RULES
 * as they are, with the listings' rules (LISTING_RULES) under `listings`, so that a change to
 * either is reported.
 * @param {string | undefined} text
 */
function rulesOf(text) {
  if (text === undefined) return undefined;
  const constant = (/** @type {string} */ name) => new RegExp(`export const ${name} = ([\\s\\S]*?) as const;`).exec(text)?.[1];
  const resources = constant('RESOURCE_RULES');
  if (resources === undefined) return undefined;
  try {
    const listings = constant('LISTING_RULES');
    return { ...JSON.parse(resources), ...(listings === undefined ? {} : { listings: JSON.parse(listings) }) };
  } catch {
    return undefined;
  }
}

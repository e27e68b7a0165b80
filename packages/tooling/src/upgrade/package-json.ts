// package.json merged as data rather than as lines: three-way, key by key in every object, so that a
// dependency the team added and one the template added never conflict because they sit on adjacent lines.
// A dependency range changed both ways takes the higher one; anything else changed two ways is a conflict
// that keeps this repository's value, so the file stays valid JSON, and names both values for a person.
import { isDeepStrictEqual } from 'node:util';
import semver from 'semver';

/** The objects whose values are version ranges: a range changed both ways takes the higher minimum. */
const RANGE_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies', 'engines'];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = Record<string, Json>;

/** A key changed two ways: this repository's value is kept (absent: undefined). */
interface DataConflict {
  path: string[];
  base: Json | undefined;
  ours: Json | undefined;
  theirs: Json | undefined;
}

/** A range changed both ways, resolved to the higher one. */
interface RangeChoice {
  path: string[];
  ours: string;
  theirs: string;
  taken: 'ours' | 'theirs';
}

interface PackageMerge {
  merged: JsonObject;
  conflicts: DataConflict[];
  choices: RangeChoice[];
}

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The three-way merge of package.json's data: BASE the old render, OURS the repository, THEIRS the new render. */
export function mergePackageJson(base: JsonObject, ours: JsonObject, theirs: JsonObject): PackageMerge {
  const result: PackageMerge = { merged: {}, conflicts: [], choices: [] };
  result.merged = mergeObjects(base, ours, theirs, [], result);
  return result;
}

function mergeValues(
  base: Json | undefined,
  ours: Json | undefined,
  theirs: Json | undefined,
  at: string[],
  result: PackageMerge,
): Json | undefined {
  if (isDeepStrictEqual(ours, theirs) || isDeepStrictEqual(base, theirs)) return ours;
  if (isDeepStrictEqual(base, ours)) return theirs;
  if (isObject(ours) && isObject(theirs) && (base === undefined || isObject(base)))
    return mergeObjects(base ?? {}, ours, theirs, at, result);
  const higher = at.length === 2 && RANGE_FIELDS.includes(at[0]) ? higherRange(ours, theirs) : undefined;
  if (higher && typeof ours === 'string' && typeof theirs === 'string') {
    result.choices.push({ path: at, ours, theirs, taken: higher });
    return higher === 'ours' ? ours : theirs;
  }
  result.conflicts.push({ path: at, base, ours, theirs });
  return ours;
}

/**
 * Key by key. The order is this repository's; a key only the template has goes after the key that precedes it
 * in the template's order (the nearest one that is kept), or first when none does.
 */
function mergeObjects(
  base: JsonObject,
  ours: JsonObject,
  theirs: JsonObject,
  at: string[],
  result: PackageMerge,
): JsonObject {
  const order = Object.keys(ours);
  const theirOrder = Object.keys(theirs);
  theirOrder.forEach((key, index) => {
    if (order.includes(key)) return;
    const before = theirOrder
      .slice(0, index)
      .reverse()
      .find(previous => order.includes(previous));
    order.splice(before === undefined ? 0 : order.indexOf(before) + 1, 0, key);
  });
  const merged: JsonObject = {};
  for (const key of order) {
    const value = mergeValues(base[key], ours[key], theirs[key], [...at, key], result);
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}

/** The side whose range has the higher minimum version; ours on a tie; undefined when either is not a range. */
export function higherRange(ours: Json | undefined, theirs: Json | undefined): 'ours' | 'theirs' | undefined {
  if (typeof ours !== 'string' || typeof theirs !== 'string') return undefined;
  const minimum = (range: string) => (semver.validRange(range) ? semver.minVersion(range) : null);
  const [a, b] = [minimum(ours), minimum(theirs)];
  if (!a || !b) return undefined;
  return semver.gt(b, a) ? 'theirs' : 'ours';
}

/** package.json's text as parsed data, or undefined when it is not a JSON object. */
export function parsePackageJson(text: string): JsonObject | undefined {
  try {
    const value = JSON.parse(text) as Json;
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** DATA written as the repository's file TEXT was: its indentation and its final newline. */
export function formatLike(text: string, data: JsonObject): string {
  const indent = /^\{\r?\n([ \t]+)"/.exec(text)?.[1] ?? '  ';
  return JSON.stringify(data, null, indent) + (text.endsWith('\n') ? '\n' : '');
}

/** A conflict as the commit message lists it, with both values. */
export function describeConflict(file: string, conflict: DataConflict, theirLabel: string): string {
  const value = (v: Json | undefined) => (v === undefined ? 'deleted' : JSON.stringify(v));
  return (
    `CONFLICT (${file}): ${conflict.path.join('.')} changed two ways, this repository's kept: ` +
    `this repository ${value(conflict.ours)}, ${theirLabel} ${value(conflict.theirs)}`
  );
}

/** A range choice as the commit message lists it. */
export function describeChoice(file: string, choice: RangeChoice, theirLabel: string): string {
  const [taken, other] = choice.taken === 'ours' ? [choice.ours, choice.theirs] : [choice.theirs, choice.ours];
  const side = choice.taken === 'ours' ? 'this repository' : theirLabel;
  return (
    `${file}: ${choice.path.join('.')} changed both ways: ${JSON.stringify(taken)} (${side}) taken ` +
    `over ${JSON.stringify(other)}, the higher minimum version`
  );
}

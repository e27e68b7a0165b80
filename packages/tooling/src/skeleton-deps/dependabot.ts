// What the generated repository's Dependabot would propose for its npm dependencies, read from its own
// .github/dependabot.yml: which group each dependency falls in (the first group that matches it, as Dependabot
// assigns them), which update types the group takes, which updates are ignored and how long a new version is
// held back (cooldown). skeleton:deps proposes the same minor and patch updates, all groups in one change.
import semver from 'semver';
import { parse as parseYaml } from 'yaml';

export type DependencyType = 'production' | 'development';
type UpdateType = 'major' | 'minor' | 'patch';

interface Group {
  patterns?: string[];
  'exclude-patterns'?: string[];
  'dependency-type'?: DependencyType;
  'update-types'?: UpdateType[];
}

interface Ignore {
  'dependency-name': string;
  'update-types'?: string[];
}

interface NpmUpdates {
  'package-ecosystem': string;
  groups?: Record<string, Group>;
  ignore?: Ignore[];
  cooldown?: Partial<Record<'default-days' | `semver-${UpdateType}-days`, number>>;
}

export interface DependabotPolicy {
  /** The group a dependency's update of TYPE joins, or undefined for an update Dependabot proposes alone. */
  groupOf(name: string, dependencyType: DependencyType, type: UpdateType): string | undefined;
  ignored(name: string, type: UpdateType): boolean;
  cooldownDays(type: UpdateType): number;
}

/** Dependabot's wildcard: `*` matches any run of characters, everything else itself. */
const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map(part => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
      .join('.*')}$`,
  );

export function dependabotPolicy(text: string): DependabotPolicy {
  const config = parseYaml(text) as { updates?: NpmUpdates[] };
  const npm = config.updates?.find(u => u['package-ecosystem'] === 'npm');
  if (!npm) throw new Error('.github/dependabot.yml has no npm entry: no groups to follow');
  const groups = Object.entries(npm.groups ?? {});
  return {
    groupOf(name, dependencyType, type) {
      return groups.find(([, group]) => {
        const included = group.patterns?.some(p => glob(p).test(name)) ?? true;
        const excluded = group['exclude-patterns']?.some(p => glob(p).test(name)) ?? false;
        const typed = (group['dependency-type'] ?? dependencyType) === dependencyType;
        const takes = group['update-types']?.includes(type) ?? true;
        return included && !excluded && typed && takes;
      })?.[0];
    },
    ignored(name, type) {
      return (npm.ignore ?? []).some(
        rule =>
          glob(rule['dependency-name']).test(name) &&
          (rule['update-types']?.includes(`version-update:semver-${type}`) ?? true),
      );
    },
    cooldownDays(type) {
      return npm.cooldown?.[`semver-${type}-days`] ?? npm.cooldown?.['default-days'] ?? 0;
    },
  };
}

/** One direct dependency as the lock has it, and what its registry offers. */
export interface Candidate {
  name: string;
  dependencyType: DependencyType;
  /** package.json's range, e.g. ^1.2.3 or ~6.0.3. */
  range: string;
  /** The version the lock resolves it to. */
  locked: string;
  /** Every published version with its publication time (npm view NAME time). */
  published: Record<string, string>;
}

interface Update {
  name: string;
  dependencyType: DependencyType;
  type: UpdateType;
  from: string;
  to: string;
  /** The new range: the old one's operator, the new version. */
  range: string;
  group: string | undefined;
}

export interface Plan {
  /** Minor and patch updates, applied. */
  updates: Update[];
  /** Newer majors, listed for a person and never applied. */
  majors: Update[];
  /** Minor and patch updates not taken, and why (held back by the cooldown, ignored). */
  skipped: string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The range with its version replaced: `^1.2.3` to `^1.4.0`, `~6.0.3` to `~6.0.5`, `1.2.3` to `1.4.0`. */
function moveRange(range: string, to: string): string {
  const operator = /^(\^|~|>=|)\d/.exec(range)?.[1];
  if (operator === undefined) throw new Error(`range ${range}: skeleton:deps moves only ^, ~, >= or exact ranges`);
  return `${operator}${to}`;
}

/** The newest stable release of each kind newer than the locked version, the cooldown applied to minor and patch. */
export function plan(candidates: Candidate[], policy: DependabotPolicy, now: Date): Plan {
  const result: Plan = { updates: [], majors: [], skipped: [] };
  for (const candidate of candidates) {
    const { name, dependencyType, locked } = candidate;
    const newer = Object.keys(candidate.published)
      .filter(v => semver.valid(v) && !semver.prerelease(v) && semver.gt(v, locked))
      .sort(semver.rcompare);
    const typeOf = (v: string): UpdateType =>
      semver.major(v) !== semver.major(locked) ? 'major' : semver.minor(v) !== semver.minor(locked) ? 'minor' : 'patch';
    const update = (to: string): Update => {
      const type = typeOf(to);
      const range = moveRange(candidate.range, to);
      return { name, dependencyType, type, from: locked, to, range, group: policy.groupOf(name, dependencyType, type) };
    };
    const major = newer.find(v => typeOf(v) === 'major');
    if (major && !policy.ignored(name, 'major')) result.majors.push(update(major));
    const sameMajor = newer.filter(v => typeOf(v) !== 'major');
    const cooled = sameMajor.find(v => {
      const days = policy.cooldownDays(typeOf(v));
      return now.getTime() - Date.parse(candidate.published[v]) >= days * DAY_MS;
    });
    if (sameMajor.length && cooled !== sameMajor[0]) {
      const held = sameMajor[0];
      result.skipped.push(`${name} ${held}: released less than ${policy.cooldownDays(typeOf(held))} days ago`);
    }
    if (!cooled) continue;
    if (policy.ignored(name, typeOf(cooled))) {
      result.skipped.push(`${name} ${cooled}: ignored by .github/dependabot.yml`);
      continue;
    }
    result.updates.push(update(cooled));
  }
  return result;
}

/** The plan as Markdown: the updates by group, then what was left and why. */
export function planSummary(planned: Plan): string {
  const line = (u: Update) => `- \`${u.name}\` ${u.from} → ${u.to} (${u.type}, \`${u.range}\`)`;
  const groups = [...new Set(planned.updates.map(u => u.group ?? '(no group: Dependabot proposes it alone)'))];
  const sections = groups.map(group => {
    const members = planned.updates.filter(u => (u.group ?? '(no group: Dependabot proposes it alone)') === group);
    return `### ${group}\n\n${members.map(line).join('\n')}`;
  });
  if (!planned.updates.length) sections.push('No minor or patch update.');
  if (planned.majors.length) {
    sections.push(`### Majors, left for a person (not applied)\n\n${planned.majors.map(line).join('\n')}`);
  }
  if (planned.skipped.length) sections.push(`### Not taken\n\n${planned.skipped.map(s => `- ${s}`).join('\n')}`);
  return `${sections.join('\n\n')}\n`;
}

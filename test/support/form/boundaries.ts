// Values at the edges of what a field's rules allow, found by asking the rules themselves: the form's schema
// (as parsed from template.yaml) and the per-field oracle. At each place of a value (a DNS label, an entity
// name, a port, the whole value) they are the lengths where a rule's answer changes, each with the length
// before it, and the characters on both sides of each edge of what a rule allows there. A rule moved by one
// in either direction then meets a value it decides differently from the other rule.
import { validate, type Schema } from 'jsonschema';

export type Rule = (value: string) => boolean;

/** One place of a field's value: the rest of the value kept as the field allows it, the part varied. */
export interface Place {
  value: (part: string) => string;
  /** A part both rules accept here: its first, middle and last characters are replaced in turn, and its
   * first character repeated to each length. */
  part: string;
  /** The part is a number (a port): probed by value rather than by characters. */
  integer?: boolean;
  /** Free text, where any character of Unicode may be allowed: the rules are asked about all of them. Elsewhere
   * about ASCII and Latin-1, where the edges of an ASCII class moved by one lie (a URL's or an entity ref's
   * oracle parses the whole value: a second per place to ask about every character). */
  text?: boolean;
}

/** A field's places, and a value of every total length for a length limit that no single place reaches. */
export interface FieldPlaces {
  places: Place[];
  sized?: (length: number) => string;
}

/** A field's schema as the scaffolder applies it: its characters are the pattern's (or enum's) business,
 * tested on their own because they are probed a hundred thousand times per place. */
export interface SchemaRule {
  characters: Rule;
  whole: Rule;
  members: string[];
}

export function schemaRule(schema: Schema): SchemaRule {
  const pattern = schema.pattern === undefined ? undefined : new RegExp(schema.pattern, 'u');
  const members = (schema.enum as unknown[] | undefined)?.map(String);
  return {
    characters: value => (members ? members.includes(value) : (pattern?.test(value) ?? true)),
    whole: value => validate(value, schema).valid,
    members: members ?? [],
  };
}

const LAST_BMP = 0xffff;
const LAST_CODE_POINT = 0x10ffff;
/** Code points the oracle is always asked about: ASCII and Latin-1. */
const LATIN_1 = Array.from({ length: 0x100 }, (_, i) => i);
/** Ports are probed up to one past the largest 16-bit number. */
const LARGEST_INTEGER = 2 ** 16;

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Each point, in the order given, where the answer differs from the one before, with the point before it. */
function changes(points: Iterable<number>, answer: (point: number) => boolean): number[] {
  const found: number[] = [];
  let previous: { point: number; answer: boolean } | undefined;
  for (const point of points) {
    const now = answer(point);
    if (previous && now !== previous.answer) found.push(previous.point, point);
    previous = { point, answer: now };
  }
  return found;
}

/** Edges over every code point of the BMP, and of the astral planes if some character beyond ASCII is allowed. */
function everywhere(allows: (codePoint: number) => boolean): number[] {
  const bmp = changes(range(0, LAST_BMP), allows);
  // With no edge past U+0080, every character of the BMP beyond ASCII has the answer U+0080 has.
  const beyondAscii = bmp.some(c => c > 0x80) || allows(0x80);
  return beyondAscii ? [...bmp, ...changes(range(LAST_BMP, LAST_CODE_POINT), allows)] : bmp;
}

/** The first and last code point of each astral plane. */
const PLANE_ENDS = range(1, 16).flatMap(plane => [plane * 0x10000, plane * 0x10000 + 0xffff]);

/**
 * The code points on both sides of each edge of what the schema and the oracle allow in a character's stead.
 * In the astral planes the oracle is asked at each plane's ends and around the schema's edges: the edges of a
 * class moved by one lie there, and asking a rule about every astral character takes a second.
 */
function characterEdges(schema: Rule, oracle: Rule, place: Place, value: (c: string) => string): number[] {
  const asking = (rule: Rule) => (codePoint: number) => rule(value(String.fromCodePoint(codePoint)));
  if (!place.text) return [schema, oracle].flatMap(rule => changes(LATIN_1, asking(rule)));
  const ofSchema = everywhere(asking(schema));
  const astral = [...PLANE_ENDS, ...ofSchema.filter(c => c > LAST_BMP).flatMap(c => [c - 1, c, c + 1])];
  const asked = [...new Set(astral)].filter(c => c <= LAST_CODE_POINT).sort((a, b) => a - b);
  return [...ofSchema, ...changes(range(0, LAST_BMP), asking(oracle)), ...changes(asked, asking(oracle))];
}

function placeEdges(schema: SchemaRule, oracle: Rule, place: Place, longest: number): string[] {
  if (place.integer) {
    const numbers = range(0, LARGEST_INTEGER);
    return [schema.characters, oracle]
      .flatMap(rule => changes(numbers, n => rule(place.value(String(n)))))
      .map(n => place.value(String(n)));
  }
  const rules = [schema.whole, oracle];
  const characters = Array.from(place.part);
  const last = characters.length - 1;
  const replaced = [...new Set([0, Math.floor(last / 2), last])].flatMap(at => {
    const [before, after] = [characters.slice(0, at).join(''), characters.slice(at + 1).join('')];
    const withCharacter = (c: string) => `${before}${c}${after}`;
    const value = (c: string) => place.value(withCharacter(c));
    return characterEdges(schema.characters, oracle, place, value).map(c => withCharacter(String.fromCodePoint(c)));
  });
  const lengths = range(0, longest);
  const repeated = rules.flatMap(rule => changes(lengths, n => rule(place.value(characters[0].repeat(n)))));
  return [...replaced, ...repeated.map(n => characters[0].repeat(n))].map(place.value);
}

/**
 * The values at the edges of a field's rules (its schema's and its oracle's), at every place; the members of
 * an enum. `longest` bounds the lengths probed: past the schema's maxLength and past any place's own limit.
 */
export function edgeValues(
  schema: SchemaRule,
  oracle: Rule,
  { places, sized }: FieldPlaces,
  longest: number,
): string[] {
  const lengths = range(0, longest);
  return [
    ...new Set([
      ...schema.members,
      ...places.flatMap(place => placeEdges(schema, oracle, place, longest)),
      ...(sized ? [schema.whole, oracle].flatMap(rule => changes(lengths, n => rule(sized(n)))).map(sized) : []),
    ]),
  ];
}

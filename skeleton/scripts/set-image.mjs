#!/usr/bin/env node
// Points a Helm values file at an image: sets `image.digest` and `image.tag` and changes nothing else, so
// comments, key order and blank lines survive and the commit's diff is those two lines. Delivery runs it on the
// first environment's values file, Promote on the target's. Plain Node, no dependencies: it runs straight after
// checkout, before (and without) `npm ci`.
//
//   node scripts/set-image.mjs charts/<app>/values-<env>.yaml sha256:<64 hex> sha-<commit>
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// An OCI digest as the chart's schema accepts it: sha256 only, lower-case hex.
const DIGEST = /^sha256:[0-9a-f]{64}$/;
// Docker's grammar for a tag.
const DOCKER_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
// A value that YAML would read as something other than a string (a number, a boolean, null) must be quoted.
const NEEDS_QUOTES = /^(?:[-+.\d].*|true|false|yes|no|on|off|y|n|null|~)$/i;
const KEY_LINE =
  /^(?<indent>[ ]+)(?<key>[\w-]+):(?<gap>[ \t]*)(?<value>"[^"]*"|'[^']*'|[^\s#]*)(?<rest>.*?)(?<eol>\r?\n?)$/;
const KEYS = ['digest', 'tag'];

/** The values TEXT with `image.digest` and `image.tag` set; throws, saying why, on a bad value or file shape. */
export function setImage(text, { digest, tag }) {
  if (typeof digest !== 'string' || !DIGEST.test(digest))
    throw new Error(`"${digest}" is not an image digest (sha256: and 64 lower-case hex digits)`);
  if (typeof tag !== 'string' || !DOCKER_TAG.test(tag)) throw new Error(`"${tag}" is not a valid Docker image tag`);

  const lines = text.split(/(?<=\n)/);
  const starts = lines.flatMap((line, i) => (/^image\s*:/.test(line) ? [i] : []));
  if (starts.length === 0) throw new Error('has no top-level "image:" key');
  if (starts.length > 1) throw new Error('has more than one top-level "image:" key');
  const [start] = starts;
  if (!/^image:[ \t]*(#.*)?\r?\n?$/.test(lines[start])) {
    throw new Error('"image:" must be a block mapping (one key per line) for digest and tag to be updated in place');
  }

  const found = new Map(KEYS.map(key => [key, []]));
  let childIndent;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*(#.*)?\r?\n?$/.test(line)) continue; // blank or comment
    const indent = /^ */.exec(line)[0].length;
    if (indent === 0) break; // the next top-level key ends the image block
    childIndent ??= indent;
    if (indent !== childIndent) continue; // inside a nested value
    const key = /^\s*([\w-]+)\s*:/.exec(line)?.[1];
    if (!found.has(key)) continue;
    const match = KEY_LINE.exec(line);
    if (!match) throw new Error(`cannot read image.${key} on line ${i + 1}: ${line.trim()}`);
    found.get(key).push({ index: i, groups: match.groups });
  }

  const wanted = { digest, tag };
  for (const key of KEYS) {
    const matches = found.get(key);
    if (matches.length === 0) throw new Error(`has no "${key}:" key under "image:"`);
    if (matches.length > 1) throw new Error(`has more than one "${key}:" key under "image:"`);
    const [{ index, groups }] = matches;
    const { indent, gap, value, rest, eol } = groups;
    if (/^[|>&*![{]/.test(value) || (rest !== '' && !/^\s+#/.test(rest))) {
      throw new Error(`image.${key} on line ${index + 1} is not a plain or quoted scalar: ${lines[index].trim()}`);
    }
    const quote = /^["']/.test(value) ? value[0] : NEEDS_QUOTES.test(wanted[key]) ? '"' : '';
    lines[index] = `${indent}${key}:${gap || ' '}${quote}${wanted[key]}${quote}${rest}${eol}`;
  }
  return lines.join('');
}

function main([file, digest, tag, ...extra]) {
  if (!file || !digest || !tag || extra.length > 0) {
    console.error('usage: node scripts/set-image.mjs <values file> <sha256:digest> <image tag>');
    return 2;
  }
  try {
    const before = fs.readFileSync(file, 'utf8');
    const after = setImage(before, { digest, tag });
    if (after === before) {
      console.log(`${file}: the image is already ${tag} (${digest})`);
    } else {
      fs.writeFileSync(file, after);
      console.log(`${file}: the image set to ${tag} (${digest})`);
    }
    return 0;
  } catch (error) {
    console.error(`error: ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
    return 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}

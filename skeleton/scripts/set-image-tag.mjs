#!/usr/bin/env node
// Points a Helm values file at a new image: sets `image.tag` and changes nothing else, so comments, key order
// and blank lines survive and the delivery commit's diff is one line. Plain Node, no dependencies: the
// delivery job runs it straight after checkout, before (and without) `npm ci`.
//
//   node scripts/set-image-tag.mjs charts/<app>/values-<env>.yaml sha-<commit>
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Docker's grammar for a tag.
const DOCKER_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
// A tag that YAML would read as something other than a string (a number, a boolean, null) must be quoted.
const NEEDS_QUOTES = /^(?:[-+.\d].*|true|false|yes|no|on|off|y|n|null|~)$/i;
const TAG_LINE = /^(?<indent>[ ]+)tag:(?<gap>[ \t]*)(?<value>"[^"]*"|'[^']*'|[^\s#]*)(?<rest>.*?)(?<eol>\r?\n?)$/;

/** The values text with `image.tag` set to `tag`; throws if the file has no block-style `image.tag`. */
export function setImageTag(text, tag) {
  if (!DOCKER_TAG.test(tag)) throw new Error(`"${tag}" is not a valid Docker image tag`);
  const lines = text.split(/(?<=\n)/);
  const start = lines.findIndex(line => /^image:/.test(line));
  if (start === -1) throw new Error('has no top-level "image:" key');
  if (!/^image:[ \t]*(#.*)?\r?\n?$/.test(lines[start])) {
    throw new Error('"image:" must be a block mapping (one key per line) for the tag to be updated in place');
  }

  const matches = [];
  let childIndent;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*(#.*)?\r?\n?$/.test(line)) continue; // blank or comment
    const indent = /^ */.exec(line)[0].length;
    if (indent === 0) break; // the next top-level key ends the image block
    childIndent ??= indent;
    if (indent !== childIndent) continue; // inside a nested value
    const match = TAG_LINE.exec(line);
    if (match) matches.push({ index: i, groups: match.groups });
    else if (/^\s*tag\s*:/.test(line)) throw new Error(`cannot read image.tag on line ${i + 1}: ${line.trim()}`);
  }
  if (matches.length === 0) throw new Error('has no "tag:" key under "image:"');
  if (matches.length > 1) throw new Error('has more than one "tag:" key under "image:"');

  const [{ index, groups }] = matches;
  const { indent, gap, value, rest, eol } = groups;
  if (/^[|>&*![{]/.test(value) || (rest !== '' && !/^\s+#/.test(rest))) {
    throw new Error(`image.tag on line ${index + 1} is not a plain or quoted scalar: ${lines[index].trim()}`);
  }
  const quote = /^["']/.test(value) ? value[0] : NEEDS_QUOTES.test(tag) ? '"' : '';
  lines[index] = `${indent}tag:${gap || ' '}${quote}${tag}${quote}${rest}${eol}`;
  return lines.join('');
}

function main([file, tag, ...extra]) {
  if (!file || !tag || extra.length > 0) {
    console.error('usage: node scripts/set-image-tag.mjs <values file> <image tag>');
    return 2;
  }
  try {
    const before = fs.readFileSync(file, 'utf8');
    const after = setImageTag(before, tag);
    if (after === before) {
      console.log(`${file}: image.tag is already ${tag}`);
    } else {
      fs.writeFileSync(file, after);
      console.log(`${file}: image.tag set to ${tag}`);
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

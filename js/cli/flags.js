// Command-line flag walking shared by every `tagwise` command: "--flag value",
// "--flag=value" and switches, with a "did you mean" hint for a misspelt flag.
// Mistakes are UsageErrors (exit code 2).

import { UsageError } from './usage_error.js';

/**
 * Walks `rest`: calls onFlag(flag, null) for a switch and onFlag(flag, value)
 * for a flag with a value; anything else is a UsageError.
 */
export function walkFlags(rest, switches, flags, onFlag) {
  for (let i = 0; i < rest.length; i++) {
    let arg = rest[i];
    let inline;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (switches.includes(arg)) {
      if (inline !== undefined) throw new UsageError(`${arg} takes no value`);
      onFlag(arg, null);
      continue;
    }
    if (!flags.includes(arg)) {
      const hint = closest(arg, [...flags, ...switches]);
      throw new UsageError(arg.startsWith('-') ? `unknown option ${arg}${hint ? ` (did you mean ${hint}?)` : ''}`
        : `unexpected argument "${arg}"`);
    }
    let value = inline;
    if (value === undefined) {
      value = rest[++i];
      if (value === undefined || (value.startsWith('--') && value.length > 2)) throw new UsageError(`${arg} needs a value`);
    }
    onFlag(arg, value);
  }
}

/** The candidate within edit distance 2 of `word`, or "". */
function closest(word, candidates) {
  let best = '';
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a, b) {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

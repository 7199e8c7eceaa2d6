#!/usr/bin/env bash
# Writes libFuzzer dictionaries (<out>/<target>.dict) from the core's own
# operator tables, so the fuzzers start out knowing every operator name.
#   fuzz/make_dicts.sh build-sanitize/fuzz-run/dicts
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:?output directory}"
mkdir -p "$out"
esc() { sed 's/\\/\\\\/g; s/"/\\"/g'; }
{
  # Rule operators ({"name", Op...} entries of operators.cpp) as JSON keys.
  grep -o '{"[^"]*", *Op' "$root/core/src/rules/operators.cpp" | sed 's/^{"//; s/", *Op$//' | sort -u |
    while IFS= read -r op; do printf '"\\"%s\\":"\n' "$(printf '%s' "$op" | esc | esc)"; done
  for w in type within where agg field half_life count sum avg min max distinct first_ts last_ts exists \
           30d 7d 12h 90s 500ms 2w; do printf '"%s"\n' "$w"; done
  printf '"%s"\n' '{\"var\":' '[' ']' '{' '}' ',' 'null' 'true' 'false' '-0.0' '1e308' '\"\\u0000\"'
} >"$out/rule_json.dict"
{
  grep -o '{"[^"]*", *Op' "$root/core/src/rules/operators.cpp" | sed 's/^{"//; s/", *Op$//' | grep -E '^[a-z_]+$' |
    sort -u | while IFS= read -r op; do printf '"%s("\n' "$op"; done
  for w in if then else and or not in within half_life where agg of field events '==' '!=' '===' '!==' \
           '<=' '>=' '&&' '||' '!!' '30d' '500ms' '#'; do printf '"%s"\n' "$(printf '%s' "$w" | esc)"; done
  printf '"%s"\n' '\xe7\x94\xa8\xe6\x88\xb7' '\"\\u00e9\"'
} >"$out/rule_text.dict"
{
  for op in '$eq' '$ne' '$lt' '$lte' '$gt' '$gte' '$in' '$nin' '$ini' '$nini' '$all' '$alli' '$size' \
            '$elemMatch' '$exists' '$type' '$not' '$regex' '$regexi' '$veq' '$vne' '$vgt' '$vgte' '$vlt' '$vlte' \
            '$inGroup' '$notInGroup' '$and' '$or' '$nor' '$savedGroup'; do printf '"\\"%s\\":"\n' "$op"; done
  for w in list condition values attributeKey id string number boolean array object null; do printf '"%s"\n' "$w"; done
} >"$out/condition.dict"
{
  for k in tagwise tags groups id name dimension parent group priority purpose source server ttl core \
           description when value exclusive events type within agg field; do printf '"\\"%s\\":"\n' "$k"; done
} >"$out/catalog.dict"
{
  for k in tagwise_profile user_id tz_offset_min attributes events rollups compacted_through as_of tags \
           id type ts props day count sums value expires_at; do printf '"\\"%s\\":"\n' "$k"; done
} >"$out/profile.dict"
{
  for k in TAGWISE-STORE 'H ' 'E ' 'END ' generation generation_at saved_at consent purposes updated_at \
           profile ledger tagwise_ledger records; do printf '"%s"\n' "$k"; done
} >"$out/store.dict"
printf '"TWHINTS\\x0a"\n"\\x01\\x00\\x00\\x00"\n' >"$out/hints.dict"
# The session fuzzer's steps read profiles, events and stored text.
cat "$out/profile.dict" "$out/store.dict" >"$out/session.dict"

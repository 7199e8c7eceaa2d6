// The engine's messages in the console's language. tagwise reports problems
// in English with a stable code and a JSON path (core/include/tagwise/error.h,
// lint.h); the console is for 运营 who read Chinese, so each code gets its own
// sentence here, with the names and numbers the English message carries
// (the first quoted name, the counts of a coverage finding). A code this table
// does not know shows the engine's text marked as such, never a blank. English
// pages show the engine's message unchanged.

const quoted = (message) => /"([^"]*)"/.exec(message)?.[1];
const numbers = (message) => (message.match(/\d+(?:\.\d+)?/g) ?? []).map(Number);
const name = (message, fallback) => {
  const q = quoted(message);
  return q === undefined ? fallback : `“${q}”`;
};
const suggestion = (message) => {
  const m = /did you mean (?:the operator )?"([^"]+)"/.exec(message);
  return m ? `，是不是想写“${m[1]}”？` : '';
};

/** Messages whose wording says more than their code: [pattern, (match) → Chinese]. */
const ZH_MESSAGES = [
  [/the weights add up to ([\d.e+-]+); they must add up to 1/, (m) => `各组权重加起来是 ${m[1]}，应为 1。`],
  [/there are (\d+) weights for (\d+) variations/, (m) => `有 ${m[1]} 个权重，却有 ${m[2]} 个组。`],
  [/a weight must be a number from 0 to 1/, () => '权重必须是 0 到 1 之间的数。'],
  [/"coverage" must be a number from 0 to 1/, () => '参与比例必须是 0 到 1 之间的数。'],
  // The rule checks an operator meets most often while building a rule.
  [/^"(.+)" takes (\d+) arguments? but got (\d+)$/, (m) => `“${m[1]}” 需要 ${m[2]} 个参数，这里有 ${m[3]} 个。`],
  [/^the event type is a name like/, () => '事件类型应是一个名称（如 "order_paid"）或名称列表。'],
  [/^"agg" is one of (.+)$/, (m) => `聚合方式（agg）只能是 ${m[1]} 之一。`],
  [/^this aggregate needs a "field" to read/, () => '这种聚合要指定读取的字段（field），例如 "amount"。'],
  [/^"events" has no option "(.+)" \(options: (.+)\)$/, (m) => `events 没有“${m[1]}”这个选项（可用：${m[2]}）。`],
  [/^"tag" needs a tag id written as text/, () => '“tag” 需要一个文本形式的标签编号。'],
  [/^bucket thresholds are a list of numbers/, () => '分档阈值应是数字列表，例如 [1, 5, 20]。'],
  // The text form's syntax errors (the path says line:column).
  [/^expected '\)' to close '(.+)' opened at (\d+:\d+)$/, (m) => `缺少右括号“)”来闭合 ${m[2]} 处的“${m[1]}”。`],
  [/^expected a value, found the end of the rule$/, () => '规则在这里就结束了，还缺一个值。'],
  [/^expected a value, found '(.+)'$/, (m) => `这里应是一个值，却是“${m[1]}”。`],
  [/^unknown duration unit '(.+)' in '(.+)'/, (m) => `“${m[2]}”里的时间单位“${m[1]}”不认识（可用 ms、s、m、h、d、w）。`],
];

// For codes that cover many cases, the engine's own detail follows the
// Chinese headline in brackets rather than being lost.
const detail = (headline) => (m) => `${headline}（${m}）`;

/** code → (engine message) → Chinese sentence. */
const ZH = {
  // Rule and catalog errors (ErrorCodeName).
  invalid_json: () => '不是有效的 JSON。',
  invalid_utf8: () => '文本不是有效的 UTF-8。',
  unsupported_version: () => '数据来自更新版本的 tagwise，这个版本读不了。',
  corrupt: () => '数据已损坏或不完整。',
  catalog_mismatch: () => '数据是为另一个版本的目录生成的。',
  not_loaded: () => '所需的功能模块还没有载入。',
  wasm_fetch_failed: () => 'tagwise 的 WebAssembly 文件下载失败。',
  wasm_compile_failed: () => 'tagwise 的 WebAssembly 文件无法编译。',
  csp_blocked: () => '页面的内容安全策略（CSP）不允许编译 WebAssembly：请在 script-src 中加入 \'wasm-unsafe-eval\'。',
  invalid_rule: detail('写法不对'),
  unknown_operator: (m) => `不认识的运算符 ${name(m, '')}${suggestion(m)}`,
  wrong_argument_count: detail('参数个数不对'),
  wrong_argument_type: detail('参数类型不对'),
  bad_duration: (m) => `${name(m, '这个值')} 不是时间窗口：请写成数字加单位，如 90s、15m、12h、30d 或 2w。`,
  bad_date: (m) => `${name(m, '这个值')} 不是 ISO 8601 日期（例如 2026-12-01T00:00:00Z）。`,
  unknown_tag: (m) => `目录里没有标签 ${name(m, '')}。`,
  too_deep: () => '规则嵌套太深。',
  too_large: () => '规则或数据太大。',
  syntax: detail('文本形式写法有误'),
  thrown: () => '规则执行了 throw。',
  evaluation_limit: () => '规则计算量超出上限，已停止。',
  budget_exceeded: () => '这次计算用完了预算，已停止。',
  out_of_memory: () => '内存不足。',
  costly_rule: () => '这条规则的计算量会随数据增长得很快（列表里再套列表，或 reduce 反复拼接）。',
  duplicate_id: (m) => `编号 ${name(m, '')} 重复了。`,
  cycle: () => '标签之间循环依赖。',
  // Lint findings (lint.h).
  unknown_parent: (m) => `上级标签 ${name(m, '')} 不存在。`,
  self_parent: () => '标签不能是自己的上级。',
  unknown_group: (m) => `分组 ${name(m, '')} 不存在。`,
  unknown_tag_reference: (m) => `引用的标签 ${name(m, '')} 不存在。`,
  exclusive_ancestor: () => '标签和它的上级在同一个互斥组里：子标签总会带上上级，二者不可能互斥。',
  same_priority_exclusive: () => '互斥组里有两个标签优先级相同，可能同时成立：谁胜出将由目录顺序决定。',
  never_holds: () => '这个条件永远不会成立。',
  always_holds: () => '这个条件对所有客户都成立。',
  too_many_core_tags: () => '标为核心（core）的标签太多。',
  unused_tag: () => '没有任何途径能让客户获得这个标签：没有规则、没有子标签，也不是服务端标签。',
  unused_group: () => '没有标签属于这个分组。',
  too_many_findings: () => '问题太多，后面的没有列出。',
  lint_failed: () => '检查意外中断。',
  dead_tag: (m) => {
    const [n, lost] = numbers(m);
    return `样本 ${n} 位客户中没有人持有这个标签${lost ? `：规则命中了 ${lost} 位，但同一互斥组里的其他标签总是胜出` : '：请用真实数据检查它的规则'}。`;
  },
  low_coverage: (m) => {
    const [held, n, share] = numbers(m);
    return `样本 ${n} 位客户中只有 ${held} 位持有这个标签，低于 ${share}% 的阈值。`;
  },
  rule_error: (m) => {
    const [failed, n] = numbers(m);
    return `这个标签的规则在样本 ${n} 位客户中的 ${failed} 位上计算出错。`;
  },
  sample_skipped: () => '目录有错误，未在样本上试算。',
};

/** The UI language of the page: "en" or "zh". */
export function pageLanguage() {
  return globalThis.document?.documentElement.lang.startsWith('en') ? 'en' : 'zh';
}

/**
 * A problem's or finding's message ({ code, message }) in `lang`: Chinese by
 * code, or the engine's English unchanged.
 */
export function engineMessage(problem, lang = pageLanguage()) {
  const message = String(problem?.message ?? '');
  if (lang === 'en') return message;
  for (const [pattern, say] of ZH_MESSAGES) {
    const m = pattern.exec(message);
    if (m) return say(m);
  }
  const say = ZH[problem?.code];
  return say ? say(message) : `引擎提示（英文）：${message}`;
}

/** The same problem with its message in `lang` (the engine's text kept as `engineText`). */
export function localized(problem, lang = pageLanguage()) {
  return { ...problem, message: engineMessage(problem, lang), engineText: problem.message };
}

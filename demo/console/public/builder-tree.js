// The visual rule tree: groups (AND/OR/NOT) of condition rows, edited in
// place. Typing edits the model without re-rendering (so focus and caret
// stay); structural edits (add, remove, move, switching a select that changes
// which boxes a row has) re-render and put focus back on the same control.
// Rows reorder and regroup by dragging (SortableJS, nested lists sharing the
// group "rules") or with the move buttons, which work from the keyboard.
import Sortable from 'sortablejs';
import { h, select } from './builder-dom.js';
import {
  AGGS, AGGS_WITH_FIELD, COMPARE_OPS, TIME_AGGS, UNARY_OPS, findNode, findParent, moveNode, newCond, newGroup, newLeft,
  ownerOfPath, parseValue, showValue,
} from './builder-model.js';

const WHERE_OPS = ['==', '!=', '>', '>=', '<', '<=', 'in', 'contains'];
const WINDOWS = ['7d', '30d', '90d', '180d', '365d'];

/**
 * @param {HTMLElement} container
 * @param {{ t, getRoot: () => object, onChange: () => void, vocabulary: { attrs, types, props, tags: () => string[] }, formatRule }} options
 *   onChange is called after every edit of the model; vocabulary.tags gives the catalog's tag ids now.
 */
export function createTreeView(container, { t, getRoot, onChange, vocabulary, formatRule }) {
  let sortables = [];
  const lists = h('div', { class: 'rb-datalists' },
    datalist('rb-attrs', vocabulary.attrs), datalist('rb-types', vocabulary.types),
    datalist('rb-props', vocabulary.props), datalist('rb-windows', WINDOWS), datalist('rb-tags', []));

  function datalist(id, values) {
    return h('datalist', { id }, values.map((v) => h('option', { value: v })));
  }

  /** Re-renders, keeping focus on the control with the same focus key. */
  function render(focusKey = document.activeElement?.dataset?.fkey) {
    for (const s of sortables) s.destroy();
    sortables = [];
    const root = getRoot();
    lists.querySelector('#rb-tags').replaceChildren(...vocabulary.tags().map((v) => h('option', { value: v })));
    container.replaceChildren(lists, renderGroup(root, true));
    markMoves(root, true);
    if (focusKey) container.querySelector(`[data-fkey="${CSS.escape(focusKey)}"]`)?.focus();
  }

  function changed(structural, focusKey) {
    if (structural) render(focusKey);
    onChange();
  }

  // ---- controls shared by rows and groups

  function moveButtons(node) {
    const button = (how, label, symbol) => h('button', {
      type: 'button', class: 'rb-icon', 'aria-label': label, title: label, dataset: { fkey: `${node.id}:${how}`, move: how },
      on: { click: () => { if (moveNode(getRoot(), node.id, how)) changed(true, `${node.id}:${how}`); } },
    }, symbol);
    return [button('up', t.moveUp, '↑'), button('down', t.moveDown, '↓'), button('out', t.moveOut, '⇤'), button('in', t.moveIn, '⇥')];
  }

  /**
   * Flags the moves that would do nothing (aria-disabled, not disabled: the
   * button keeps focus after a row reaches the top, so arrows keep working).
   */
  function markMoves(group, isRoot) {
    group.children.forEach((node, i) => {
      const can = {
        up: i > 0, down: i < group.children.length - 1, out: !isRoot, in: group.children[i - 1]?.kind === 'group',
      };
      for (const [how, ok] of Object.entries(can)) {
        const button = container.querySelector(`[data-fkey="${CSS.escape(`${node.id}:${how}`)}"]`);
        if (ok) button?.removeAttribute('aria-disabled'); else button?.setAttribute('aria-disabled', 'true');
      }
      if (node.kind === 'group') markMoves(node, false);
    });
  }

  function removeButton(node) {
    return h('button', {
      type: 'button', class: 'rb-icon rb-remove', 'aria-label': t.remove, title: t.remove, dataset: { fkey: `${node.id}:remove` },
      on: {
        click: () => {
          const at = findParent(getRoot(), node.id);
          if (!at) return;
          at.parent.children.splice(at.index, 1);
          // Focus what took its place, else the group's "add row" button.
          const next = at.parent.children[Math.min(at.index, at.parent.children.length - 1)];
          changed(true, next ? `${next.id}:remove` : `${at.parent.id}:add`);
        },
      },
    }, '✕');
  }

  const handle = () => h('span', { class: 'rb-handle', title: t.drag, 'aria-hidden': 'true' }, '⠿');
  const message = (node) => h('p', { class: 'rb-msg error', id: `rb-msg-${node.id}`, hidden: true });

  // ---- groups

  function renderGroup(group, isRoot = false) {
    const list = h('ol', { class: 'rb-list', dataset: { group: group.id } },
      group.children.map((c) => (c.kind === 'group' ? renderGroup(c) : c.kind === 'cond' ? renderCond(c) : renderRaw(c))));
    if (group.children.length === 0) list.append(h('li', { class: 'rb-empty muted', dataset: { placeholder: '1' } }, t.empty));
    sortables.push(Sortable.create(list, {
      group: 'rules', handle: '.rb-handle', draggable: '.rb-node', filter: '.rb-empty',
      animation: 120, fallbackOnBody: true, swapThreshold: 0.65, invertSwap: true,
      onEnd: (evt) => dropped(evt),
    }));
    const head = h('div', { class: 'rb-group-head' },
      isRoot ? null : handle(),
      select({ 'aria-label': t.kind, dataset: { fkey: `${group.id}:op` }, on: { change: (e) => { group.op = e.target.value; changed(true); } } },
        [['and', t.and], ['or', t.or], ['not', t.not]], group.op),
      h('button', { type: 'button', dataset: { fkey: `${group.id}:add`, add: 'row' }, on: { click: () => { const c = newCond(); group.children.push(c); changed(true, `${c.id}:name`); } } }, t.addRow),
      h('button', { type: 'button', dataset: { fkey: `${group.id}:addGroup`, add: 'group' }, on: { click: () => { const g = newGroup('or', [newCond()]); group.children.push(g); changed(true, `${g.id}:op`); } } }, t.addGroup),
      isRoot ? null : h('span', { class: 'rb-actions' }, moveButtons(group), removeButton(group)));
    const props = { class: `rb-group rb-group-${group.op}`, dataset: { id: group.id, kind: 'group' } };
    return isRoot
      ? h('div', { ...props, class: `${props.class} rb-root` }, head, list, message(group))
      : h('li', { ...props, class: `${props.class} rb-node` }, head, list, message(group));
  }

  /** A drop from SortableJS: the DOM already moved; move the model, then re-render from it. */
  function dropped(evt) {
    const root = getRoot();
    const id = evt.item.dataset.id;
    const from = findNode(root, evt.from.dataset.group);
    const to = findNode(root, evt.to.dataset.group);
    if (!from || !to || (from === to && evt.oldDraggableIndex === evt.newDraggableIndex)) return;
    const at = findParent(root, id);
    if (!at) return;
    const [node] = at.parent.children.splice(at.index, 1);
    to.children.splice(Math.min(evt.newDraggableIndex, to.children.length), 0, node);
    // Re-render after SortableJS finishes its own clean-up of this drag.
    setTimeout(() => changed(true), 0);
  }

  // ---- condition rows

  function input(node, part, props, onInput) {
    return h('input', {
      type: 'text', dataset: { fkey: `${node.id}:${part}` }, autocomplete: 'off', spellcheck: 'false', ...props,
      on: { input: (e) => { onInput(e.target.value); changed(false); } },
    });
  }

  function renderLeft(node) {
    const left = node.left;
    const kind = select({
      'aria-label': t.leftKind, dataset: { fkey: `${node.id}:leftKind` },
      on: { change: (e) => { node.left = newLeft(e.target.value); changed(true); } },
    }, [['var', t.attr], ['events', t.events], ['tag', t.hasTag], ['tag_value', t.tagValue]], left.kind);
    if (left.kind === 'var') {
      return [kind, input(node, 'name', { 'aria-label': t.attrName, list: 'rb-attrs', value: left.name, class: 'rb-w-md' }, (v) => { left.name = v; })];
    }
    if (left.kind === 'tag' || left.kind === 'tag_value') {
      return [kind, input(node, 'tagId', { 'aria-label': t.tagId, placeholder: t.tagId, list: 'rb-tags', value: left.id, class: 'rb-w-md' }, (v) => { left.id = v.trim(); })];
    }
    const parts = [kind,
      input(node, 'type', { 'aria-label': t.eventType, list: 'rb-types', value: left.type, class: 'rb-w-md' }, (v) => { left.type = v; }),
      select({ 'aria-label': t.agg, dataset: { fkey: `${node.id}:agg` }, on: { change: (e) => { left.agg = e.target.value; if (!AGGS_WITH_FIELD.has(left.agg)) left.field = ''; if (!TIME_AGGS.has(left.agg)) left.daysSince = false; changed(true); } } },
        AGGS.map((a) => [a, t.aggs[a]]), left.agg)];
    if (TIME_AGGS.has(left.agg)) {
      parts.push(h('label', { class: 'rb-inline' }, h('input', {
        type: 'checkbox', checked: left.daysSince, dataset: { fkey: `${node.id}:daysSince` },
        on: { change: (e) => { left.daysSince = e.target.checked; changed(false); } },
      }), t.daysSince));
    }
    if (AGGS_WITH_FIELD.has(left.agg) || left.field !== '') {
      parts.push(input(node, 'field', { 'aria-label': t.field, placeholder: t.field, list: 'rb-props', value: left.field, class: 'rb-w-sm' }, (v) => { left.field = v; }));
    }
    parts.push(h('label', { class: 'rb-inline' }, h('span', { class: 'muted' }, t.within),
      input(node, 'within', { 'aria-label': t.within, placeholder: t.allTime, list: 'rb-windows', value: left.within, class: 'rb-w-xs' }, (v) => { left.within = v.trim(); })));
    if (left.where) {
      const w = left.where;
      parts.push(h('span', { class: 'rb-where' }, h('span', { class: 'muted' }, t.where),
        input(node, 'where', { 'aria-label': t.whereProp, list: 'rb-props', value: w.prop, class: 'rb-w-sm' }, (v) => { w.prop = v; }),
        select({ 'aria-label': t.whereOp, dataset: { fkey: `${node.id}:whereOp` }, on: { change: (e) => { w.value = parseValue(showValue(w.value), e.target.value); w.op = e.target.value; changed(true); } } },
          WHERE_OPS.map((o) => [o, t.ops[o]]), w.op),
        input(node, 'whereValue', { 'aria-label': t.whereValue, value: showValue(w.value), class: 'rb-w-sm' }, (v) => { w.value = parseValue(v, w.op); }),
        h('button', { type: 'button', class: 'rb-icon', 'aria-label': t.removeWhere, title: t.removeWhere, dataset: { fkey: `${node.id}:removeWhere` }, on: { click: () => { left.where = null; changed(true, `${node.id}:addWhere`); } } }, '✕')));
    } else {
      parts.push(h('button', { type: 'button', dataset: { fkey: `${node.id}:addWhere` }, on: { click: () => { left.where = { prop: 'category', op: '==', value: '' }; changed(true, `${node.id}:whereValue`); } } }, t.addWhere));
    }
    return parts;
  }

  function renderCond(node) {
    const op = select({
      'aria-label': t.op, dataset: { fkey: `${node.id}:op` },
      on: { change: (e) => { node.value = parseValue(showValue(node.value), e.target.value); node.op = e.target.value; changed(true); } },
    }, COMPARE_OPS.map((o) => [o, t.ops[o]]), node.op);
    const value = UNARY_OPS.has(node.op) ? null : input(node, 'value', {
      'aria-label': t.value, value: showValue(node.value), class: 'rb-w-md', placeholder: node.op === 'in' ? t.valueHintIn : t.value,
    }, (v) => { node.value = parseValue(v, node.op); });
    return h('li', { class: 'rb-node rb-cond', dataset: { id: node.id, kind: 'cond' } },
      h('div', { class: 'rb-row' }, handle(), h('div', { class: 'rb-fields' }, renderLeft(node), op, value),
        h('span', { class: 'rb-actions' }, moveButtons(node), removeButton(node))),
      message(node));
  }

  /** The text form of a part kept verbatim (its JSON when it cannot be formatted). */
  function rawText(json) {
    try { return formatRule(json); } catch { return JSON.stringify(json); }
  }

  function renderRaw(node) {
    return h('li', { class: 'rb-node rb-raw', dataset: { id: node.id, kind: 'raw' } },
      h('div', { class: 'rb-row' }, handle(),
        h('div', { class: 'rb-fields' }, h('p', { class: 'muted' }, t.raw), h('code', { class: 'rb-raw-text', dataset: { raw: node.id } }, rawText(node.json))),
        h('span', { class: 'rb-actions' }, moveButtons(node), removeButton(node))),
      message(node));
  }

  /**
   * Marks the rows (and the boxes inside them) that problems point at:
   * aria-invalid plus the message under the row, tied with aria-describedby.
   * Returns each problem with the id of the row it landed on.
   */
  function markProblems(problems, paths) {
    for (const el of container.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    for (const el of container.querySelectorAll('[aria-describedby^="rb-msg-"]')) el.removeAttribute('aria-describedby');
    for (const el of container.querySelectorAll('.rb-msg')) { el.hidden = true; el.textContent = ''; }
    return problems.map((problem) => {
      const key = ownerOfPath(paths, problem.path);
      const id = key?.split(':')[0];
      const row = id && container.querySelector(`[data-id="${CSS.escape(id)}"]`);
      const target = row ?? container.querySelector('.rb-root');
      const msg = target?.querySelector(':scope > .rb-msg');
      if (target && msg) {
        if (problem.severity === 'error') target.setAttribute('aria-invalid', 'true');
        msg.hidden = false;
        msg.classList.toggle('rb-warning', problem.severity !== 'error' && !target.hasAttribute('aria-invalid'));
        msg.append(h('span', { class: 'rb-msg-line' }, `${problem.severity === 'error' ? t.error : t.warning}: ${problem.message} (${problem.path || '/'})`));
        const box = key?.includes(':') && container.querySelector(`[data-fkey="${CSS.escape(key)}"]`);
        if (box) {
          if (problem.severity === 'error') box.setAttribute('aria-invalid', 'true');
          box.setAttribute('aria-describedby', msg.id);
        }
      }
      return { problem, id: row ? id : getRoot().id };
    });
  }

  return { render, markProblems };
}

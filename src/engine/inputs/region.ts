import { childrenOf, findRegion, regionPath, type RegionNode } from '../../domain/regions/regions.ts';
import { normalizeCommandText } from '../commands.ts';
import type { Choice, Locale } from '../types.ts';
import type { InputContext, InputHandler, InputOutcome } from './types.ts';
import { reject } from './types.ts';

type Spec = { type: 'region'; root?: string; leafOnly: boolean };

const UP = '__up';
const HERE = '__here';

function nameOf(node: RegionNode, locale: Locale): string {
  return (node.name as Record<string, string>)[locale] ?? node.name['zh-CN'];
}

/** Where the user is in the tree: the last picked code, or the configured root. */
function currentCode(spec: Spec, ctx: InputContext): string | null {
  const path = ctx.pending?.kind === 'tree' ? ctx.pending.path : [];
  return path.at(-1) ?? spec.root ?? null;
}

function levelChoices(spec: Spec, ctx: InputContext, code: string | null): Choice[] {
  const choices: Choice[] = childrenOf(ctx.data.regions, code).map((n) => ({ id: n.code, label: nameOf(n, ctx.locale) }));
  const path = ctx.pending?.kind === 'tree' ? ctx.pending.path : [];
  if (code && !spec.leafOnly) choices.push({ id: HERE, label: ctx.translator.t(ctx.locale, 'inputs:region.here') });
  if (path.length > 0) choices.push({ id: UP, label: ctx.translator.t(ctx.locale, 'inputs:region.up') });
  return choices;
}

const strip = (s: string) => s.replace(/(省|市|区|县|自治县|街道|镇|乡)$/u, '');
/** Whether `t` (normalised) is the region's name in some language, with or without 省/市/区…. */
const named = (n: RegionNode, t: string) => Object.values(n.name).some((name) => normalizeCommandText(name) === t || strip(normalizeCommandText(name)) === t);

/** "南京" finds 南京市, "玄武" finds 玄武区; exact names and codes first, then a unique prefix. */
function matchChild(children: RegionNode[], raw: string): RegionNode | undefined {
  const t = normalizeCommandText(raw);
  const exact = children.find((n) => n.code === t || named(n, t));
  if (exact) return exact;
  if ([...t].length < 2) return undefined;
  const byPrefix = children.filter((n) => Object.values(n.name).some((name) => normalizeCommandText(name).startsWith(t)));
  return byPrefix.length === 1 ? byPrefix[0] : undefined;
}

/**
 * A region further down named `raw` ("南京" or "玄武" typed at the province question): the one match below the
 * current level, or undefined when there is none or several (two 鼓楼区 in different cities).
 */
function matchBelow(children: RegionNode[], raw: string): RegionNode | undefined {
  const t = normalizeCommandText(raw);
  if ([...t].length < 2) return undefined;
  const found: RegionNode[] = [];
  const walk = (nodes: readonly RegionNode[]) => {
    for (const n of nodes) {
      if (named(n, t)) found.push(n);
      if (n.children) walk(n.children);
    }
  };
  for (const child of children) walk(child.children ?? []);
  return found.length === 1 ? found[0] : undefined;
}

function descend(spec: Spec, ctx: InputContext, path: string[], node: RegionNode): InputOutcome {
  if (!node.children?.length) return { kind: 'accept', value: node.code };
  const next = [...path, node.code];
  const nextCtx = { ...ctx, pending: { kind: 'tree' as const, path: next } };
  return {
    kind: 'continue',
    pending: { kind: 'tree', path: next },
    text: ctx.translator.t(ctx.locale, 'inputs:region.level', { path: pathText(ctx, node.code) }),
    choices: levelChoices(spec, nextCtx, node.code),
  };
}

function pathText(ctx: InputContext, code: string): string {
  return regionPath(ctx.data.regions, code)
    .map((n) => nameOf(n, ctx.locale))
    .join(' / ');
}

export const regionInput: InputHandler<Spec> = {
  parse(spec, input, ctx) {
    const path = ctx.pending?.kind === 'tree' ? ctx.pending.path : [];
    const code = currentCode(spec, ctx);
    const children = childrenOf(ctx.data.regions, code);
    if (input.type === 'image') return { ...reject(ctx, 'region', 'notAnOption'), choices: levelChoices(spec, ctx, code) };
    const raw = input.type === 'choice' ? input.choiceId : input.text;
    const token = normalizeCommandText(raw);

    const isLabel = (key: string) => ctx.translator.locales().some((l) => normalizeCommandText(ctx.translator.t(l, key)) === token);
    if (token === UP || ['上一级', '上级', 'up'].includes(token) || isLabel('inputs:region.up')) {
      const up = path.slice(0, -1);
      const upCtx = { ...ctx, pending: { kind: 'tree' as const, path: up } };
      const upCode = up.at(-1) ?? spec.root ?? null;
      return {
        kind: 'continue',
        pending: { kind: 'tree', path: up },
        text: upCode
          ? ctx.translator.t(ctx.locale, 'inputs:region.level', { path: pathText(ctx, upCode) })
          : ctx.translator.t(ctx.locale, 'inputs:region.top'),
        choices: levelChoices(spec, upCtx, upCode),
      };
    }
    if ((token === HERE || isLabel('inputs:region.here')) && code && !spec.leafOnly) return { kind: 'accept', value: code };

    const byNumber = /^\d{1,3}$/.test(token) ? children[Number(token) - 1] : undefined;
    // A full code from anywhere below the current level is accepted too (people paste codes).
    const byCode = /^\d{6,12}$/.test(token) ? findRegion(ctx.data.regions, token) : undefined;
    const inScope = byCode && (!code || byCode.code.startsWith(code.replace(/0+$/, ''))) ? byCode : undefined;
    const child = byNumber ?? inScope ?? matchChild(children, raw);
    const deep = child ? undefined : matchBelow(children, raw);
    const picked = child ?? deep;
    if (!picked) return { ...reject(ctx, 'region', 'notAnOption'), choices: levelChoices(spec, ctx, code) };
    if (picked === inScope || picked === deep) {
      const full = regionPath(ctx.data.regions, picked.code).map((n) => n.code);
      return descend(spec, ctx, full.slice(0, -1), picked);
    }
    return descend(spec, ctx, path, picked);
  },
  choices: (spec, ctx) => levelChoices(spec, ctx, currentCode(spec, ctx)),
  format(_spec, value, ctx) {
    const code = String(value);
    return findRegion(ctx.data.regions, code) ? pathText(ctx, code) : code;
  },
};

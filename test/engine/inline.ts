/**
 * Small inline flows for engine tests: a translator over inline resources, YAML builders, and a conversation that
 * calls runTurn directly (so tests see effects and awaited actions) against a registry the test may swap.
 */
import type { Resource } from 'i18next';
import { FlowRegistry, newConversation, runTurn } from '../../src/engine/index.ts';
import type { ConversationState, Inbound, Translator, TurnContext, TurnResult } from '../../src/engine/types.ts';
import { createTranslator } from '../../src/templates/translator.ts';

/** The common:* keys the engine renders, short so that assertions can compare whole replies. */
export const COMMON = {
  welcome: '欢迎',
  helpIdle: '空闲帮助',
  helpInFlow: '办理中帮助',
  notUnderstood: '没有理解',
  imageNotExpected: '不需要图片',
  nothingInProgress: '当前没有正在办理的事项',
  languageSet: '已切换为中文。',
  cancelled: '已取消',
  restarted: '从头开始',
  resumed: '继续办理「{{title}}」',
  welcomeBack: '欢迎回来「{{title}}」',
  resumeChoice: '继续',
  restartChoice: '重新开始',
  atFirstQuestion: '已经是第一题',
  editOnlyAtSummary: '请先回答',
  flowUpdated: '办理流程已更新',
  flowGone: '您之前办理的事项已下线',
  actionFailed: '系统出错',
  stuck: '遇到困难',
  retryChoice: '再试一次',
  helpChoice: '帮助',
  cancelChoice: '取消',
  confirmChoice: '确认提交',
  editChoice: '修改',
  keepChoice: '保留原答案',
  previousAnswer: '（上次填写：{{value}}）',
  skipHint: '（可跳过）',
  skipped: '未填写',
  notAnswered: '未填写',
  yes: '是',
  no: '否',
};

export function inlineTranslator(resources: Resource): Translator {
  return createTranslator(resources, 'zh-CN');
}

export const ask = (id: string, next?: string, field?: string) =>
  `  - { id: ${id}, kind: ask, ${field ? `field: ${field}, ` : ''}input: { type: text }${next ? `, next: ${next}` : ''} }`;

export function flowYaml(id: string, version: number, steps: string[], triggers: string[] = [], extra: string[] = []): string {
  return ['schema: 1', `id: ${id}`, `version: ${version}`, `triggers: [${triggers.join(', ')}]`, ...extra, 'steps:', ...steps].join('\n');
}

export const NOW = new Date('2026-03-01T02:00:00Z');

export function inlineCtx(translator: Translator, now = NOW): TurnContext {
  return { now, translator, defaultLocale: 'zh-CN', sessionTimeoutMs: 30 * 60_000, capabilities: { images: false }, data: { regions: [] } };
}

/** A conversation against a registry that the test can swap between turns (a deploy). */
export class Chat {
  state: ConversationState = { ...newConversation('test', 'u1', 'zh-CN', NOW), version: 1 };
  last!: TurnResult;
  constructor(
    public flows: FlowRegistry,
    readonly translator: Translator,
  ) {}

  /** One runTurn; actions are NOT run (the result's awaitingAction is for the test to answer). */
  send(input: string | Inbound): TurnResult {
    const inbound: Inbound = typeof input === 'string' ? { type: 'text', text: input } : input;
    this.last = runTurn(this.flows, this.state, inbound, inlineCtx(this.translator));
    this.state = { ...this.last.state, version: this.state.version + 1 };
    return this.last;
  }

  say(input: string | Inbound): string {
    return this.send(input)
      .outbound.map((m) => m.text)
      .join('\n');
  }
}

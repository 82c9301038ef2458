import type { PipelineCommandType } from '../certification/pipeline.ts';

/**
 * Every action the audit log records, by the id it stores, so that the console can name each one in both
 * languages (test/console/translations.unit.test.ts checks its locales against this list, and that every action
 * written by src/ is listed here).
 */
const PIPELINE: readonly PipelineCommandType[] = ['advance', 'return', 'reject', 'recordScore', 'recordSatisfaction', 'recordObjection', 'decideObjection'];

export const AUDIT_ACTIONS = [
  ...PIPELINE,
  'revealApplicant',
  'viewEvidence',
  'recordInspection',
  'recordAssessment',
  'correctInspection',
  'correctAssessment',
  'exportAllowanceReport',
  'exportAudit',
  // Accounts, sessions and tokens (docs/console-accounts.md).
  'login',
  'logout',
  'changePassword',
  'createAccount',
  'deactivateAccount',
  'activateAccount',
  'resetPassword',
  'createToken',
  'revokeToken',
  'revokeSession',
  // Polls, training, reminders, broadcasts, demo mode.
  'createPoll',
  'viewPollCodes',
  'closePoll',
  'extendPoll',
  'training.create',
  'training.edit',
  'training.cancel',
  'training.attendance',
  'training.result',
  'reminders.settings',
  'broadcast.create',
  'broadcast.edit',
  'broadcast.urgent',
  'broadcast.send',
  'broadcast.approve',
  'broadcast.bindTestTarget',
  'broadcast.testSend',
  'broadcast.pause',
  'broadcast.resume',
  'broadcast.cancel',
  'broadcast.unknown.resend',
  'broadcast.unknown.drop',
  'demo.clock',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** AuditEntry['outcome']: whether the action changed anything. */
export const AUDIT_OUTCOMES = ['done', 'refused', 'conflict', 'invalid'] as const;

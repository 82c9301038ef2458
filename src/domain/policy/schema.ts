import { z } from 'zod';
import { EDUCATION, PROFESSIONAL_TITLES } from '../worker/profile.ts';
import { reminderPolicySchema, trainingPolicySchema } from './trainingSchema.ts';

/**
 * A region's certification policy as data (`policies/<id>.yaml`), checked here at start-up. Jiangsu ("四级五专")
 * and Pinghu differ in levels, conditions and pipeline (docs/domain.md); everything that differs lives in the
 * file, nothing in code.
 */

const id = z.string().regex(/^[a-z][A-Za-z0-9]*$/, 'ids are camelCase words, e.g. intermediate');
const localized = z.strictObject({ 'zh-CN': z.string().min(1), en: z.string().min(1) });
const tier = z.enum(['province', 'city', 'county']);

/** Commendation levels in rising order: a condition "city" is met by city, province or national. */
export const COMMENDATION_LEVELS = ['none', 'county', 'city', 'province', 'national'] as const;
export const ORG_SIZE_CLASSES = ['belowDesignatedSize', 'aboveDesignatedSize'] as const;

/** Per-level conditions. Absent = not required. Years are years of party work, inclusive at the boundary. */
export const conditionsSchema = z.strictObject({
  fullMember: z.boolean().optional(),
  minYearsInPartyWork: z.number().min(0).max(50).optional(),
  stillInPost: z.boolean().optional(),
  /** The level's own training test must be passed (checked in the pipeline's test stage, or declared). */
  examPassed: z.boolean().optional(),
  /** 0..1, inclusive: 0.8 means at least 80 % satisfied. */
  minSatisfaction: z.number().min(0).max(1).optional(),
  orgSizeClass: z.enum(ORG_SIZE_CLASSES).optional(),
  /** Minimum commendation (or shared experience) level. */
  commendationLevel: z.enum(COMMENDATION_LEVELS).optional(),
  minEducation: z.enum(EDUCATION).optional(),
  /** Age must be below this on the application date, by gender (Pinghu: men under 60, women under 55). */
  maxAge: z.strictObject({ male: z.number().int(), female: z.number().int() }).optional(),
  /** A certificate at this level must be held first (promotion goes level by level). */
  requiresLevel: id.optional(),
  /** 学时 credited in the calendar year of the check, or the year before, whichever is more (inclusive). */
  minTrainingHours: z.number().min(0).max(500).optional(),
});
export type Conditions = z.infer<typeof conditionsSchema>;

/** A relaxation: holders of these professional titles need fewer years (docs/domain.md: 职称 relaxes them). */
export const relaxationSchema = z.strictObject({
  professionalTitles: z.array(z.enum(PROFESSIONAL_TITLES)).min(1),
  yearsReducedBy: z.number().min(0).max(10).default(0),
  /** Education requirement waived. */
  waiveEducation: z.boolean().default(false),
});

export const levelSchema = z.strictObject({
  id,
  name: localized,
  /**
   * The admin tier that acts on this level (Jiangsu: province 特级, city 高级/中级, county 初级), each inside its
   * own region. Other tiers only read it (src/domain/certification/tier.ts).
   */
  managedBy: tier,
  /** Whether admins of the tiers above `managedBy` may act on this level too; off unless the policy says so. */
  upperTiersMayAct: z.boolean().default(false),
  /**
   * Where the certificate is valid: the worker's county-level unit (Pinghu, a county-level city, certifies for
   * itself), their city (Jiangsu 高级 and below) or their province (Jiangsu 特级).
   */
  scope: z.enum(['county', 'city', 'province']),
  /** One or two capital letters in the certificate number, e.g. C for 初级. */
  code: z.string().regex(/^[A-Z0-9]{1,2}$/),
  conditions: conditionsSchema,
  relaxations: z.array(relaxationSchema).default([]),
  /** Yearly allowance (红领津贴) in yuan for holders assessed 称职 or better; 0 = none. */
  allowanceYuan: z.number().int().min(0).default(0),
});
export type Level = z.infer<typeof levelSchema>;

/** Stage kinds the pipeline knows how to guard; the ids and names are the policy's own. */
export const STAGE_KINDS = ['declaration', 'qualificationReview', 'training', 'trainingTest', 'satisfactionSurvey', 'comprehensiveReview', 'publicNotice'] as const;

export const stageSchema = z.strictObject({
  id,
  kind: z.enum(STAGE_KINDS),
  name: localized,
  /** What the worker must do at this stage, shown in "进度" (a template key under `certification:`). */
  todo: z.string().optional(),
  /** Days the stage usually takes, for "what happens next and by when". */
  expectedDays: z.number().int().min(0).max(365).optional(),
});
export type Stage = z.infer<typeof stageSchema>;

/** A region's poll settings: smallest group shown (never below 3), quorum, extra questions, the comment. */
export const pollSettingsSchema = z.strictObject({
  minGroupSize: z.number().int().min(3, 'a poll never shows a group of fewer than 3 answers').max(50).optional(),
  quorum: z.strictObject({ minShare: z.number().min(0).max(1).optional(), minAnswers: z.number().int().min(1).max(10_000).optional() }).optional(),
  /** Further questions on the same scale after the overall one, e.g. 工作作风. */
  dimensions: z.array(z.strictObject({ id: id.refine((v) => v !== 'overall' && v !== 'comment', 'overall and comment are built-in question ids'), text: localized })).max(10).default([]),
  /** Whether respondents may add a comment (default yes). */
  comment: z.boolean().default(true),
});

export const policySchema = z
  .strictObject({
    schema: z.literal(1),
    id,
    name: localized,
    /** The region whose certificates this policy issues (a province or county code). */
    regionCode: z.string().regex(/^\d{6}$/),
    levels: z.array(levelSchema).min(1),
    pipeline: z.strictObject({
      stages: z.array(stageSchema).min(2),
      /** Training test pass mark (0-100, inclusive). */
      testPassMark: z.number().min(0).max(100),
      /** 社会公示 period in days (where the pipeline has a publicNotice stage). */
      noticeDays: z.number().int().min(1).max(60).optional(),
    }),
    certificate: z.strictObject({
      /** Placeholders: {region} (6 digits), {year} (4), {level} (level code), {seq:N} (zero-padded to N). */
      numberFormat: z.string().includes('{seq'),
      validityYears: z.number().int().min(1).max(20),
    }),
    annualInspection: z.strictObject({
      /** What a failed 年检 does to the certificate. */
      onFail: z.enum(['suspend', 'revoke']),
    }),
    satisfaction: z.strictObject({
      /** Answer options of the poll, best first, and which of them count as satisfied. */
      scale: z.array(z.string()).min(2),
      positive: z.array(z.string()).min(1),
      /** The satisfaction poll (满意度测评) of this region; absent = the defaults of docs/polls.md. */
      poll: pollSettingsSchema.optional(),
    }),
    /** Yearly 学时, waiting-list offers (src/domain/policy/trainingSchema.ts); defaults when absent. */
    training: trainingPolicySchema.optional(),
    /** Quiet hours, daily cap and each reminder kind's switch and offsets; defaults when absent. */
    reminders: reminderPolicySchema.optional(),
  })
  .superRefine((p, ctx) => {
    const levels = new Set<string>();
    p.levels.forEach((l, i) => {
      if (levels.has(l.id)) ctx.addIssue({ code: 'custom', path: ['levels', i, 'id'], message: `level \`${l.id}\` is defined twice` });
      levels.add(l.id);
      const req = l.conditions.requiresLevel;
      if (req && !p.levels.slice(0, i).some((x) => x.id === req)) {
        ctx.addIssue({ code: 'custom', path: ['levels', i, 'conditions', 'requiresLevel'], message: `requiresLevel \`${req}\` must name a lower level listed before \`${l.id}\`` });
      }
    });
    const stages = p.pipeline.stages;
    if (stages[0]?.kind !== 'declaration') ctx.addIssue({ code: 'custom', path: ['pipeline', 'stages', 0], message: 'the first stage must be of kind declaration' });
    if (stages.some((s) => s.kind === 'publicNotice') && !p.pipeline.noticeDays) {
      ctx.addIssue({ code: 'custom', path: ['pipeline', 'noticeDays'], message: 'a pipeline with a publicNotice stage needs noticeDays' });
    }
    const ids = new Set<string>();
    stages.forEach((s, i) => {
      if (ids.has(s.id)) ctx.addIssue({ code: 'custom', path: ['pipeline', 'stages', i, 'id'], message: `stage \`${s.id}\` is listed twice` });
      ids.add(s.id);
    });
    for (const v of p.satisfaction.positive) {
      if (!p.satisfaction.scale.includes(v)) ctx.addIssue({ code: 'custom', path: ['satisfaction', 'positive'], message: `\`${v}\` is not on the scale` });
    }
  });
export type Policy = z.infer<typeof policySchema>;

/** Which policy governs a region: the longest matching code prefix wins (`policies/mapping.yaml`). */
export const policyMappingSchema = z.strictObject({
  schema: z.literal(1),
  mappings: z.array(z.strictObject({ regionPrefix: z.string().regex(/^\d{2,9}$/), policy: id })).min(1),
});
export type PolicyMapping = z.infer<typeof policyMappingSchema>;

export function policyIdForRegion(mapping: PolicyMapping, regionCode: string): string | null {
  let best: { regionPrefix: string; policy: string } | null = null;
  for (const m of mapping.mappings) {
    if (regionCode.startsWith(m.regionPrefix) && (!best || m.regionPrefix.length > best.regionPrefix.length)) best = m;
  }
  return best?.policy ?? null;
}

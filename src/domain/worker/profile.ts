import { z } from 'zod';

/** What the registration flow collects about a worker (docs/domain.md "Who uses it"); the same words as the flow. */
export const MEMBERSHIPS = ['full', 'probationary'] as const;
export const ORG_TYPES = ['enterprise', 'social'] as const;
export const ROLES = ['secretary', 'deputySecretary', 'staff', 'instructor', 'other'] as const;
export const EDUCATION = ['juniorHigh', 'highSchool', 'college', 'bachelor', 'postgraduate'] as const;
export const PROFESSIONAL_TITLES = ['political', 'socialWork', 'none'] as const;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const workerProfileSchema = z.object({
  name: z.string().min(1).max(60),
  mobile: z.string().regex(/^1[3-9]\d{9}$/),
  idNumber: z.string().regex(/^\d{17}[\dX]$/),
  gender: z.enum(['male', 'female']),
  birthDate: isoDate,
  membership: z.enum(MEMBERSHIPS),
  joinDate: isoDate,
  orgName: z.string().min(1).max(120),
  orgType: z.enum(ORG_TYPES),
  role: z.enum(ROLES),
  regionCode: z.string().regex(/^\d{6}(\d{3})?$/),
  workStart: isoDate,
  education: z.enum(EDUCATION),
  professionalTitle: z.enum(PROFESSIONAL_TITLES),
});
export type WorkerProfile = z.infer<typeof workerProfileSchema>;

/** The registration flow's answers as they arrive from the engine (the ID answer carries its derived facts). */
export const registrationAnswersSchema = z.object({
  name: z.string(),
  mobile: z.string(),
  idNumber: z.object({ number: z.string(), birthDate: z.string(), gender: z.enum(['male', 'female']) }),
  membership: z.string(),
  joinDate: z.string(),
  orgName: z.string(),
  orgType: z.string(),
  role: z.string(),
  region: z.string(),
  workStart: z.string(),
  education: z.string(),
  professionalTitle: z.string(),
  // Added in version 2 of the flow; absent in conversations that started on version 1.
  orgCode: z.string().nullish(),
  orgSize: z.enum(['aboveDesignatedSize', 'belowDesignatedSize']).nullish(),
  employees: z.number().int().positive().nullish(),
});

// Built once: zod compiles each new object schema on its first parse, so `.partial()` inside the function cost
// about 0.35 ms of the registration's final turn (bench:channels' CPU profile), the slowest turn of the flow.
const partialAnswersSchema = registrationAnswersSchema.partial();

/** The organisation facts of the registration answers (all optional). */
export function organizationFacts(raw: unknown): { uscc: string | null; sizeClass: 'aboveDesignatedSize' | 'belowDesignatedSize' | null; employees: number | null } {
  const parsed = partialAnswersSchema.safeParse(raw);
  const a = parsed.success ? parsed.data : {};
  return { uscc: a.orgCode ?? null, sizeClass: a.orgSize ?? null, employees: a.employees ?? null };
}

export type ProfileProblem = { field: string; message: string };

/** Answers → profile, with the checks that span fields (no joining the party before birth, etc.). */
export function profileFromAnswers(raw: unknown): { ok: true; profile: WorkerProfile } | { ok: false; problems: ProfileProblem[] } {
  const answers = registrationAnswersSchema.safeParse(raw);
  if (!answers.success) return { ok: false, problems: answers.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })) };
  const a = answers.data;
  const parsed = workerProfileSchema.safeParse({
    name: a.name,
    mobile: a.mobile,
    idNumber: a.idNumber.number,
    gender: a.idNumber.gender,
    birthDate: a.idNumber.birthDate,
    membership: a.membership,
    joinDate: a.joinDate,
    orgName: a.orgName,
    orgType: a.orgType,
    role: a.role,
    regionCode: a.region,
    workStart: a.workStart,
    education: a.education,
    professionalTitle: a.professionalTitle,
  });
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })) };
  const problems = crossFieldProblems(parsed.data);
  return problems.length ? { ok: false, problems } : { ok: true, profile: parsed.data };
}

export function crossFieldProblems(p: Pick<WorkerProfile, 'birthDate' | 'joinDate' | 'workStart'>): ProfileProblem[] {
  const problems: ProfileProblem[] = [];
  if (p.joinDate <= p.birthDate) problems.push({ field: 'joinDate', message: 'joined the party before being born' });
  if (p.workStart <= p.birthDate) problems.push({ field: 'workStart', message: 'started party work before being born' });
  return problems;
}

import { z } from 'zod';
import { BANDS } from '../health/model.ts';
import { jsonPath } from '../json-path.ts';

/**
 * An installation's early-warning rule set: one entry per rule type, each with its thresholds, how
 * it resolves on its own, how long it stays quiet after resolving, and the playbook of tasks it
 * starts. Every field has a default, so a stored set may name only what it changes. The defaults are
 * tuned to be quiet: a CSM with two hundred accounts should see a handful of warnings a week, each
 * worth acting on, so thresholds ask for persistence and cooldowns are long.
 */

export const RULE_IDS = [
  'declining_trend',
  'band_drop',
  'usage_drop',
  'low_licence_use',
  'detractor',
  'ticket_spike',
  'stale_high_priority_ticket',
  'champion_lost',
  'renewal_at_risk',
  'no_engagement',
  'override_expiring',
  'onboarding_stalled',
  'objective_behind',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

export const WARNING_SEVERITIES = ['low', 'medium', 'high'] as const;
export type WarningSeverity = (typeof WARNING_SEVERITIES)[number];

export const TASK_PRIORITIES = ['low', 'medium', 'high'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

/** Placeholders every playbook text may use, whatever the rule. */
export const COMMON_PLACEHOLDERS = ['account', 'title', 'why', 'severity'] as const;

/**
 * The evidence values each rule reports (measured values and the thresholds they crossed); each is
 * also a placeholder its playbook may use, so a typo in a template is caught when the set is saved.
 */
export const EVIDENCE_KEYS = {
  declining_trend: [
    'score',
    'weeksDown',
    'dropPoints',
    'slopePerWeek',
    'minWeeksDown',
    'minDropPoints',
    'minSlopePerWeek',
  ],
  band_drop: ['band', 'previousBand', 'score', 'previousScore', 'lookbackDays', 'persistDays', 'minDropPoints'],
  usage_drop: ['recentUsers', 'baselineUsers', 'dropPct', 'recentDays', 'baselineDays', 'minDropPct', 'persistDays'],
  low_licence_use: ['usePct', 'activeUsers', 'licences', 'floorPct', 'windowDays', 'persistDays'],
  detractor: [
    'responses',
    'detractors',
    'meanNps',
    'lowestNps',
    'negativeReadings',
    'npsAtMost',
    'withinDays',
    'maxMeanNps',
    'minResponses',
    'severeAtMost',
    'negativeInRow',
  ],
  ticket_spike: ['recentTickets', 'baselineTickets', 'ratio', 'recentDays', 'baselineDays', 'minRatio', 'minTickets'],
  stale_high_priority_ticket: ['ticketId', 'priority', 'openDays', 'openedOn', 'openLongerThanDays'],
  champion_lost: ['role', 'departed', 'remaining', 'recentDays'],
  renewal_at_risk: ['band', 'score', 'renewalOn', 'daysToRenewal', 'withinDays', 'persistDays'],
  no_engagement: ['daysSinceEngaged', 'lastEngagedOn', 'days'],
  override_expiring: ['expiresOn', 'daysLeft', 'overrideBand', 'author', 'withinDays'],
  onboarding_stalled: [
    'daysSinceProgress',
    'stalledDays',
    'milestonesReached',
    'milestonesTotal',
    'nextMilestone',
    'planName',
  ],
  objective_behind: ['objective', 'value', 'expected', 'target', 'dueOn', 'daysBehind', 'persistDays', 'planName'],
} as const satisfies Record<RuleId, readonly string[]>;

const days = (max: number) => z.int().min(0).max(max);
const positiveDays = (max: number) => z.int().min(1).max(max);
const pct = z.number().min(0).max(100);

const stepSchema = z.strictObject({
  subject: z.string().trim().min(1, 'a task needs a subject').max(200),
  /** Text with {placeholders}; what fired and why is always added below it. */
  body: z.string().max(4000).default(''),
  dueInDays: days(365),
  assignee: z.enum(['owner', 'csm']),
  priority: z.enum(TASK_PRIORITIES),
});
export type PlaybookStep = z.infer<typeof stepSchema>;
export type PlaybookStepInput = z.input<typeof stepSchema>;

const step = (
  subject: string,
  body: string,
  dueInDays: number,
  assignee: PlaybookStep['assignee'],
  priority: TaskPriority,
): PlaybookStep => ({ subject, body, dueInDays, assignee, priority });

/** The fields every rule has; `base` fills in the rule's own defaults. */
function base(defaults: {
  severity: WarningSeverity;
  cooldownDays: number;
  playbook: PlaybookStep[];
  segments?: string[];
}) {
  return {
    enabled: z.boolean().default(true),
    severity: z.enum(WARNING_SEVERITIES).default(defaults.severity),
    /** After a warning resolves, the same dedupe key does not open again for this many days. */
    cooldownDays: days(730).default(defaults.cooldownDays),
    /** Only accounts of these segments; empty means every account. */
    segments: z.array(z.string().min(1)).default(defaults.segments ?? []),
    playbook: z.array(stepSchema).max(10).default(defaults.playbook),
  };
}

/** How an open warning resolves on its own: its condition (hysteresis included) absent this many days in a row. */
const quiet = (afterQuietDays: number) => ({ afterQuietDays: days(365).default(afterQuietDays) });

const decliningTrend = z
  .strictObject({
    ...base({
      severity: 'medium',
      cooldownDays: 45,
      playbook: [
        step(
          'Review the health decline at {account}',
          'Health fell {dropPoints} points over {weeksDown} weeks (now {score}). Read the drivers on the card and note what changed.',
          2,
          'csm',
          'medium',
        ),
        step(
          'Check in with the champion at {account}',
          'Ask what changed on their side and agree a next step.',
          7,
          'csm',
          'medium',
        ),
      ],
    }),
    /** Weekly scores looked at; the slope is fitted over them. */
    windowWeeks: z.int().min(2).max(26).default(6),
    /** Consecutive weekly falls needed: one noisy dip is not a decline. */
    minWeeksDown: z.int().min(1).max(26).default(3),
    /** Points lost over those weeks. */
    minDropPoints: z.number().min(0).max(100).default(10),
    /** Points a week the fitted slope must fall by. */
    minSlopePerWeek: z.number().min(0).max(100).default(1.5),
    /** A weekly change within this many points is flat. */
    flatWithin: z.number().min(0).max(20).default(1),
    resolve: z
      .strictObject({
        ...quiet(14),
        /** Stays open while the fitted slope is below this (points a week). */
        holdWhileSlopeBelow: z.number().min(-100).max(100).default(0),
      })
      .prefault({}),
  })
  .refine((rule) => rule.minWeeksDown <= rule.windowWeeks, {
    message: 'minWeeksDown cannot exceed windowWeeks',
    path: ['minWeeksDown'],
  });

const bandDrop = z.strictObject({
  ...base({
    severity: 'medium',
    cooldownDays: 30,
    playbook: [
      step(
        'Find out why {account} fell to {band}',
        'Health went from {previousBand} ({previousScore}) to {band} ({score}) in {lookbackDays} days.',
        3,
        'csm',
        'medium',
      ),
    ],
  }),
  /** The band now is compared with the band this many days ago. */
  lookbackDays: positiveDays(180).default(14),
  /** The lower band must have held this many days (one noisy day does not count). */
  persistDays: positiveDays(60).default(3),
  /** And the score must have fallen this far: a score hovering on a band line is not a drop. */
  minDropPoints: z.number().min(0).max(100).default(5),
  resolve: z.strictObject(quiet(14)).prefault({}),
});

const usageDrop = z
  .strictObject({
    ...base({
      severity: 'medium',
      cooldownDays: 45,
      playbook: [
        step(
          'Check the usage drop at {account}',
          'Active users average {recentUsers} a day over the last {recentDays} days, {dropPct}% below the {baselineUsers} of the {baselineDays} days before. Look for a change on their side (team, project, budget).',
          3,
          'csm',
          'medium',
        ),
        step(
          'Offer {account} a usage review',
          'Propose a short session on the workflows they stopped using.',
          10,
          'csm',
          'low',
        ),
      ],
    }),
    recentDays: positiveDays(90).default(14),
    baselineDays: positiveDays(365).default(56),
    /** Recent daily active users this far below the baseline, in percent. */
    minDropPct: pct.default(30),
    /** Accounts too small for a percentage to mean anything are left out. */
    minBaselineUsers: z.number().min(0).default(3),
    /** The drop must have held on each of the last this many days. */
    persistDays: positiveDays(60).default(7),
    resolve: z
      .strictObject({
        ...quiet(3),
        /** Resolves once recent usage is back above this percentage of the baseline. */
        recoverAbovePct: pct.default(90),
      })
      .prefault({}),
  })
  .refine((rule) => rule.resolve.recoverAbovePct >= 100 - rule.minDropPct, {
    message: 'recoverAbovePct must be at or above the level that opens the warning (100 − minDropPct)',
    path: ['resolve', 'recoverAbovePct'],
  });

const lowLicenceUse = z
  .strictObject({
    ...base({
      severity: 'low',
      cooldownDays: 90,
      playbook: [
        step(
          'Plan adoption with {account}',
          'Only {usePct}% of {licences} licences were in use over the last {windowDays} days. Agree who should be using it and plan onboarding for them.',
          7,
          'csm',
          'medium',
        ),
      ],
    }),
    /** Mean daily active users per licence below this, in percent. */
    floorPct: pct.default(25),
    windowDays: positiveDays(180).default(28),
    /** Below the floor at every weekly check over this many days. */
    persistDays: days(180).default(14),
    minLicences: z.int().min(1).default(5),
    resolve: z
      .strictObject({
        ...quiet(7),
        recoverAbovePct: pct.default(30),
      })
      .prefault({}),
  })
  .refine((rule) => rule.resolve.recoverAbovePct >= rule.floorPct, {
    message: 'recoverAbovePct must be at or above floorPct',
    path: ['resolve', 'recoverAbovePct'],
  });

const detractor = z.strictObject({
  ...base({
    severity: 'medium',
    cooldownDays: 90,
    playbook: [
      step(
        'Close the loop with the unhappy voices at {account}',
        'Call within two days, listen, and log what they said and what you will do.',
        2,
        'csm',
        'high',
      ),
    ],
  }),
  /** An NPS answer at or below this counts as a detractor in the evidence. */
  npsAtMost: z.int().min(0).max(10).default(6),
  withinDays: positiveDays(365).default(45),
  /**
   * Opens when the window's answers average this or lower (at least `minResponses` of them): a third
   * of all answers are detractors even at healthy accounts, so one or two of them say little…
   */
  maxMeanNps: z.number().min(0).max(10).default(5),
  minResponses: z.int().min(1).default(2),
  /** …or when any single answer is this low… */
  severeAtMost: z.int().min(0).max(10).default(1),
  /** …or when the CSM's last this many sentiment readings were negative (0 turns that off). */
  negativeInRow: z.int().min(0).max(10).default(2),
  resolve: z.strictObject(quiet(0)).prefault({}),
});

const ticketSpike = z
  .strictObject({
    ...base({
      severity: 'medium',
      cooldownDays: 30,
      playbook: [
        step(
          'Review the ticket spike at {account}',
          '{recentTickets} tickets in {recentDays} days, {ratio} times the usual rate. Find the common cause with support and tell the customer what is being done.',
          2,
          'csm',
          'high',
        ),
      ],
    }),
    recentDays: positiveDays(90).default(14),
    /** The days before the recent window that set the usual rate. */
    baselineDays: positiveDays(365).default(90),
    /** Recent daily rate at least this many times the baseline rate. */
    minRatio: z.number().min(1).default(2),
    /** And at least this many tickets in the recent window, so a quiet account's two tickets are no spike. */
    minTickets: z.int().min(1).default(6),
    resolve: z.strictObject(quiet(7)).prefault({}),
  })
  .refine((rule) => rule.recentDays <= rule.baselineDays, {
    message: 'recentDays cannot exceed baselineDays',
    path: ['recentDays'],
  });

const staleTicket = z.strictObject({
  ...base({
    severity: 'medium',
    cooldownDays: 14,
    playbook: [
      step(
        'Escalate the {priority} ticket open {openDays} days at {account}',
        'Ticket {ticketId} has been open since {openedOn}. Get an owner and a date from support and update the customer.',
        1,
        'csm',
        'high',
      ),
    ],
  }),
  priorities: z
    .array(z.enum(['low', 'medium', 'high', 'urgent']))
    .min(1)
    .default(['high', 'urgent']),
  openLongerThanDays: positiveDays(365).default(7),
  resolve: z.strictObject(quiet(0)).prefault({}),
});

const championLost = z.strictObject({
  ...base({
    severity: 'high',
    cooldownDays: 60,
    playbook: [
      step(
        'Find a new {role} at {account}',
        '{departed} left. Ask the remaining contacts who now owns the relationship and meet them.',
        3,
        'csm',
        'high',
      ),
      step(
        'Review the account plan for {account}',
        'Check the renewal and expansion plans still hold without them.',
        10,
        'owner',
        'medium',
      ),
    ],
  }),
  roles: z
    .array(z.enum(['champion', 'executive_sponsor']))
    .min(1)
    .default(['champion', 'executive_sponsor']),
  /** A departure this recent opens a warning even when others of the role remain. */
  recentDays: positiveDays(180).default(30),
  resolve: z.strictObject(quiet(0)).prefault({}),
});

const renewalAtRisk = z.strictObject({
  ...base({
    severity: 'high',
    cooldownDays: 30,
    playbook: [
      step(
        'Build a save plan for the {account} renewal',
        'Renewal on {renewalOn} ({daysToRenewal} days) with health {band} ({score}). List the risks, the people to meet and the offer.',
        3,
        'csm',
        'high',
      ),
      step(
        'Review the {account} renewal with the CSM',
        'Agree the save plan and who does what before {renewalOn}.',
        7,
        'owner',
        'high',
      ),
    ],
  }),
  withinDays: positiveDays(365).default(90),
  /** Bands that put a renewal at risk. */
  bands: z.array(z.enum(BANDS)).min(1).default(['red', 'yellow']),
  /** The band must have been at risk this many days in a row. */
  persistDays: positiveDays(60).default(7),
  resolve: z.strictObject(quiet(7)).prefault({}),
});

const noEngagement = z.strictObject({
  ...base({
    severity: 'low',
    cooldownDays: 90,
    // High-touch accounts only: a quarter of tech-touch accounts go a month without a logged touch,
    // and a warning on each would drown the ones that matter.
    segments: ['enterprise', 'mid_market'],
    playbook: [
      step(
        'Reach out to {account}',
        'Nobody at the account has engaged for {daysSinceEngaged} days (last on {lastEngagedOn}). Send something useful, not a check-in.',
        5,
        'csm',
        'low',
      ),
    ],
  }),
  days: positiveDays(365).default(30),
  resolve: z.strictObject(quiet(0)).prefault({}),
});

const overrideExpiring = z.strictObject({
  ...base({
    severity: 'low',
    cooldownDays: 0,
    playbook: [
      step(
        'Review the health override on {account}',
        'The override to {overrideBand} set by {author} ends on {expiresOn}. Extend it with a reason, or let the computed score apply.',
        1,
        'csm',
        'low',
      ),
    ],
  }),
  withinDays: positiveDays(90).default(7),
  resolve: z.strictObject(quiet(0)).prefault({}),
});

const onboardingStalled = z.strictObject({
  ...base({
    severity: 'medium',
    cooldownDays: 14,
    playbook: [
      step(
        'Restart onboarding at {account}',
        'No milestone of the plan "{planName}" has been reached for {daysSinceProgress} days ({milestonesReached} of {milestonesTotal} done). The next one is "{nextMilestone}". Find what blocks it and agree a new date with the customer.',
        2,
        'csm',
        'high',
      ),
      step(
        'Review the stalled onboarding of {account}',
        'Onboarding has made no progress for {daysSinceProgress} days. Decide with the CSM whether the plan needs more help, other people or other dates.',
        7,
        'owner',
        'medium',
      ),
    ],
  }),
  /** Days without a milestone reached, counted from the plan's start or its last milestone reached. */
  stalledDays: positiveDays(365).default(21),
  resolve: z.strictObject(quiet(0)).prefault({}),
});

const objectiveBehind = z.strictObject({
  ...base({
    severity: 'medium',
    cooldownDays: 30,
    playbook: [
      step(
        'Get "{objective}" back on track at {account}',
        'The objective "{objective}" of the plan "{planName}" reads {value} against {expected} expected by now (target {target} by {dueOn}), {daysBehind} days in this state. Find what holds it back and agree the next step with the customer.',
        3,
        'csm',
        'medium',
      ),
    ],
  }),
  /** A missed objective matters more than one running late. */
  missedSeverity: z.enum(WARNING_SEVERITIES).default('high'),
  /** Behind its trajectory this many days in a row; a missed objective warns within this many days of missing. */
  persistDays: positiveDays(180).default(14),
  resolve: z.strictObject(quiet(0)).prefault({}),
});

export const warningRulesSchema = z.strictObject({
  declining_trend: decliningTrend.prefault({}),
  band_drop: bandDrop.prefault({}),
  usage_drop: usageDrop.prefault({}),
  low_licence_use: lowLicenceUse.prefault({}),
  detractor: detractor.prefault({}),
  ticket_spike: ticketSpike.prefault({}),
  stale_high_priority_ticket: staleTicket.prefault({}),
  champion_lost: championLost.prefault({}),
  renewal_at_risk: renewalAtRisk.prefault({}),
  no_engagement: noEngagement.prefault({}),
  override_expiring: overrideExpiring.prefault({}),
  onboarding_stalled: onboardingStalled.prefault({}),
  objective_behind: objectiveBehind.prefault({}),
});
export type WarningRules = z.infer<typeof warningRulesSchema>;
export type WarningRulesInput = z.input<typeof warningRulesSchema>;
export type RuleConfig<R extends RuleId> = WarningRules[R];

export interface RulesProblem {
  /** JSONPath into the rule set, e.g. `$.usage_drop.playbook[0].body`. */
  path: string;
  message: string;
}

export type RulesResult = { ok: true; rules: WarningRules } | { ok: false; problems: RulesProblem[] };

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** The {names} a template uses. */
export function placeholdersIn(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((match) => match[1] as string);
}

function placeholderProblems(rules: WarningRules): RulesProblem[] {
  const problems: RulesProblem[] = [];
  for (const rule of RULE_IDS) {
    const known = new Set<string>([...COMMON_PLACEHOLDERS, ...EVIDENCE_KEYS[rule]]);
    rules[rule].playbook.forEach((playbookStep, index) => {
      for (const field of ['subject', 'body'] as const) {
        for (const name of placeholdersIn(playbookStep[field])) {
          if (known.has(name)) continue;
          problems.push({
            path: jsonPath([rule, 'playbook', index, field]),
            message: `unknown placeholder {${name}}; ${rule} knows ${[...known].map((key) => `{${key}}`).join(', ')}`,
          });
        }
      }
    });
  }
  return problems;
}

/** Every problem in a rule set, each with its path; a set with none parses into `WarningRules`. */
export function validateWarningRules(input: unknown): RulesResult {
  const parsed = warningRulesSchema.safeParse(input ?? {});
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({ path: jsonPath(issue.path), message: issue.message })),
    };
  }
  const problems = placeholderProblems(parsed.data);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, rules: parsed.data };
}

/** Parses a rule set or throws with every problem listed; for sets that ship with the product. */
export function parseWarningRules(input: unknown): WarningRules {
  const result = validateWarningRules(input);
  if (!result.ok) {
    throw new Error(
      `invalid warning rules: ${result.problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ')}`,
    );
  }
  return result.rules;
}

/** The shipped rule set, used when an installation has saved none. */
export const DEFAULT_WARNING_RULES: WarningRules = parseWarningRules({});

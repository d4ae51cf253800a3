import { parsePlanTemplates, type Metric, type PlanTemplate } from './plan-model.ts';

/**
 * The success-plan templates an installation gets until its admin saves its own: high-touch
 * onboarding for enterprise and mid-market accounts, tech-touch onboarding for everyone else, and an
 * adoption and a renewal plan for any segment. Segments are written as the CRM sync stores them.
 * Parsed at load, so a mistake here fails at start-up rather than when a plan is made.
 */

const activeUsers = (windowDays: number): Metric => ({
  kind: 'signal',
  signal: 'usage.active_user_ratio',
  windowDays,
  aggregation: 'mean',
});
const featuresLive = (windowDays: number): Metric => ({ kind: 'features_live', windowDays });

export const DEFAULT_PLAN_TEMPLATES: PlanTemplate[] = parsePlanTemplates([
  {
    key: 'enterprise_onboarding',
    name: 'Enterprise onboarding',
    stage: 'onboarding',
    segment: 'enterprise',
    objectives: [
      {
        key: 'active_users',
        title: '60% of licences in active use',
        metric: activeUsers(28),
        comparator: 'gte',
        target: 0.6,
        dueDays: 90,
      },
      {
        key: 'features_live',
        title: 'Three features in everyday use',
        metric: featuresLive(28),
        comparator: 'gte',
        target: 3,
        dueDays: 90,
      },
      {
        key: 'sponsor_nps',
        title: 'Executive sponsor rates us 8 or more',
        metric: { kind: 'nps_from_role', role: 'executive_sponsor', windowDays: 180 },
        comparator: 'gte',
        target: 8,
        dueDays: 120,
      },
    ],
    milestones: [
      { key: 'kickoff', title: 'Kickoff held with the champion and the executive sponsor', dueDays: 7 },
      {
        key: 'first_users',
        title: 'Admin set up and the first users active',
        dueDays: 21,
        // A twentieth of an enterprise's licences is its pilot group at work.
        reachedWhen: { metric: activeUsers(7), comparator: 'gte', target: 0.05 },
      },
      {
        key: 'first_department',
        title: 'First department live',
        dueDays: 45,
        reachedWhen: { metric: activeUsers(14), comparator: 'gte', target: 0.25 },
      },
      { key: 'success_review', title: 'Success review with the executive sponsor', dueDays: 75 },
    ],
  },
  {
    key: 'mid_market_onboarding',
    name: 'Mid-market onboarding',
    stage: 'onboarding',
    segment: 'mid_market',
    objectives: [
      {
        key: 'active_users',
        title: 'Half of licences in active use',
        metric: activeUsers(28),
        comparator: 'gte',
        target: 0.5,
        dueDays: 60,
      },
      {
        key: 'features_live',
        title: 'Two features in everyday use',
        metric: featuresLive(28),
        comparator: 'gte',
        target: 2,
        dueDays: 60,
      },
    ],
    milestones: [
      { key: 'kickoff', title: 'Kickoff call with the champion', dueDays: 7 },
      {
        key: 'first_users',
        title: 'First users active',
        dueDays: 14,
        reachedWhen: { metric: activeUsers(7), comparator: 'gte', target: 0.1 },
      },
      { key: 'onboarding_review', title: 'Onboarding review with the champion', dueDays: 45 },
    ],
  },
  {
    key: 'tech_touch_onboarding',
    name: 'Self-serve onboarding',
    stage: 'onboarding',
    segment: null,
    objectives: [
      {
        key: 'active_users',
        title: '40% of licences in active use',
        metric: activeUsers(28),
        comparator: 'gte',
        target: 0.4,
        dueDays: 60,
      },
      {
        key: 'features_live',
        title: 'Two features in everyday use',
        metric: featuresLive(28),
        comparator: 'gte',
        target: 2,
        dueDays: 60,
      },
    ],
    // Nobody runs calls for these accounts: every step is read from usage.
    milestones: [
      {
        key: 'first_users',
        title: 'First users active',
        dueDays: 14,
        reachedWhen: { metric: activeUsers(7), comparator: 'gte', target: 0.1 },
      },
      {
        key: 'first_feature',
        title: 'First feature in everyday use',
        dueDays: 21,
        reachedWhen: { metric: featuresLive(7), comparator: 'gte', target: 1 },
      },
      {
        key: 'quarter_active',
        title: 'A quarter of licences active',
        dueDays: 45,
        reachedWhen: { metric: activeUsers(14), comparator: 'gte', target: 0.25 },
      },
    ],
  },
  {
    key: 'adoption',
    name: 'Adoption plan',
    stage: 'adoption',
    segment: null,
    objectives: [
      {
        key: 'active_users',
        title: '60% of licences in active use',
        metric: activeUsers(28),
        comparator: 'gte',
        target: 0.6,
        dueDays: 120,
      },
      {
        key: 'features_live',
        title: 'Four features in everyday use',
        metric: featuresLive(28),
        comparator: 'gte',
        target: 4,
        dueDays: 120,
      },
    ],
    milestones: [
      { key: 'usage_review', title: 'Usage review with the champion', dueDays: 30 },
      { key: 'team_training', title: 'Training for the teams with unused licences', dueDays: 60 },
      {
        key: 'half_active',
        title: 'Half of licences active',
        dueDays: 90,
        reachedWhen: { metric: activeUsers(28), comparator: 'gte', target: 0.5 },
      },
      { key: 'value_review', title: 'Value review with the executive sponsor', dueDays: 110 },
    ],
  },
  {
    key: 'renewal',
    name: 'Renewal plan',
    stage: 'renewal',
    segment: null,
    objectives: [
      {
        key: 'nps',
        title: 'NPS answers average 7 or more',
        metric: { kind: 'signal', signal: 'voice.nps', windowDays: 180, aggregation: 'mean' },
        comparator: 'gte',
        target: 7,
        dueDays: 60,
      },
      {
        key: 'no_urgent_tickets',
        title: 'No high-priority tickets open',
        metric: { kind: 'signal', signal: 'support.high_priority_open', windowDays: 1, aggregation: 'latest' },
        comparator: 'lte',
        target: 0,
        dueDays: 45,
      },
      {
        key: 'active_users',
        title: 'Half of licences in active use going into the renewal',
        metric: activeUsers(28),
        comparator: 'gte',
        target: 0.5,
        dueDays: 60,
      },
    ],
    milestones: [
      { key: 'value_summary', title: 'Value summary sent to the executive sponsor', dueDays: 14 },
      { key: 'renewal_review', title: 'Renewal review with the customer', dueDays: 30 },
      { key: 'quote_sent', title: 'Renewal quote sent', dueDays: 45, owner: 'owner' },
      { key: 'renewal_signed', title: 'Renewal signed', dueDays: 80, owner: 'owner' },
    ],
  },
]);

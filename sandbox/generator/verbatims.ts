/** Free-text that fits a score: what a promoter, a passive or a detractor actually writes. */

export const NPS_VERBATIMS = {
  promoter: [
    'The dashboards save my team hours every week.',
    'Support is quick and the product just works.',
    'Automation changed how we run onboarding. Would recommend.',
    'Our CSM knows our business. Great partnership.',
    'Reporting finally gives leadership one source of truth.',
  ],
  passive: [
    'Does the job, but the reporting could be more flexible.',
    'Good product, a few rough edges in the integrations.',
    'Fine overall; onboarding new users takes longer than it should.',
    'We use the basics. Not sure we get full value yet.',
  ],
  detractor: [
    'Too many outages this quarter.',
    'The sync keeps breaking and support is slow to answer.',
    'Hard to get my team to adopt it. We are evaluating alternatives.',
    'Expensive for what we actually use.',
    'Since our admin left nobody knows how to configure it.',
  ],
} as const;

export const CSAT_VERBATIMS = {
  good: ['Resolved fast, thank you!', 'Clear answer, problem solved.', 'Great help from the support engineer.'],
  neutral: ['Solved eventually.', 'Took a couple of back-and-forths.'],
  bad: ['Took days to get a real answer.', 'Still not fixed properly.', 'Had to escalate twice.'],
} as const;

export const CES_VERBATIMS = {
  easy: ['Setting it up was straightforward.', 'Easy to find what I needed.'],
  hard: ['Had to read a lot of docs to do something simple.', 'The settings are confusing.'],
} as const;

export const SENTIMENT_NOTES = {
  positive: [
    'Great QBR; exec sponsor engaged and asking about the roadmap.',
    'Adoption growing across teams; champion is pushing automation.',
    'Customer shared a success story internally; good expansion signals.',
    'Weekly sync is productive, no open issues.',
  ],
  neutral: [
    'Steady usage, no major concerns raised.',
    'Routine check-in; they are busy with their own quarter end.',
    'Some questions about reporting, follow-up scheduled.',
    'Mixed feedback across teams, monitoring.',
  ],
  negative: [
    'Champion unresponsive for weeks; usage dropping.',
    'Escalation about repeated sync failures; frustration is high.',
    'Budget review announced, renewal at risk.',
    'Exec sponsor questioned the value in the last call.',
  ],
} as const;

/** What a CSM writes about a recent event, in front of the usual note. */
export const SHOCK_NOTES = {
  champion_left: 'Our champion has left the company.',
  reorg: 'Customer announced a reorganisation.',
  budget_cut: 'Customer is cutting software budgets.',
  outage: 'They were hit by last week’s incident.',
  new_champion: 'New champion identified and onboarded.',
  successful_qbr: 'QBR went well.',
} as const;

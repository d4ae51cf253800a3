import type { AgendaItem, Brief, BriefPlans, Figure } from './brief.ts';
import { plural } from './format.ts';
import { formatDay } from './period.ts';
import { UPSELL_WITHIN_DAYS } from './opportunities.ts';

/**
 * A proposed agenda drawn from the brief itself: value first, then the review, the risks (only when
 * there are any), the opportunities and the renewal. Notes name the brief's own items, so the agenda
 * never promises a topic the brief has nothing on.
 */

export type AgendaParts = Pick<Brief, 'wins' | 'risks' | 'opportunities' | 'renewal'> & {
  figures: readonly Figure[];
  plans?: BriefPlans | undefined;
};

const MAX_NOTES = 3;

function shown(figures: readonly Figure[], key: string): string | null {
  const figure = figures.find((item) => item.key === key);
  return figure && figure.value !== null ? `${figure.label}: ${figure.text}` : null;
}

/** Objectives off course first, then how each plan stands, then the next milestone. */
function planNotes(plans: BriefPlans['plans']): string[] {
  const notes: string[] = [];
  for (const plan of plans) {
    for (const objective of plan.objectives) {
      if (objective.status === 'behind' || objective.status === 'missed')
        notes.push(
          `${objective.title}: ${objective.statusText.toLowerCase()} at ${objective.valueText}, target ${objective.targetText}`,
        );
    }
  }
  for (const plan of plans) {
    const done = plan.objectives.filter((item) => item.status === 'achieved' || item.status === 'on_track').length;
    notes.push(`${plan.name}: ${done} of ${plural(plan.objectives.length, 'objective')} achieved or on track`);
    const next = plan.next[0];
    if (next) notes.push(`Next: ${next.title}, due ${formatDay(next.dueOn)}`);
  }
  return notes.slice(0, MAX_NOTES);
}

export function briefAgenda(parts: AgendaParts): AgendaItem[] {
  const agenda: AgendaItem[] = [
    {
      title: 'Welcome and goals for the next quarter',
      minutes: 5,
      notes: ['Confirm who attends and what the customer wants to achieve next quarter'],
    },
    {
      title: 'Value delivered',
      minutes: 10,
      notes:
        parts.wins.length > 0
          ? parts.wins.slice(0, MAX_NOTES).map((win) => win.title)
          : ['No clear win in the figures: ask what the customer values most'],
    },
  ];
  const review = ['health.now', 'health.change', 'usage.activeUsers.changePct', 'licences.utilisation']
    .map((key) => shown(parts.figures, key))
    .filter((note): note is string => note !== null);
  agenda.push({
    title: 'Health, usage and adoption review',
    minutes: 15,
    notes: review.length > 0 ? review : ['No health or usage figures yet: agree which data to share'],
  });
  const plans = parts.plans?.plans ?? [];
  if (plans.length > 0)
    agenda.push({ title: 'Success plan: progress and what is next', minutes: 10, notes: planNotes(plans) });
  if (parts.risks.length > 0) {
    agenda.push({
      title: 'Risks and how we address them',
      minutes: 10,
      notes: parts.risks.slice(0, MAX_NOTES).map((risk) => risk.title),
    });
  }
  if (parts.opportunities.length > 0) {
    agenda.push({
      title: 'Opportunities',
      minutes: 15,
      notes: parts.opportunities.map((opportunity) => opportunity.title),
    });
  }
  const { date, daysAway } = parts.renewal;
  const renewalSoon = date !== null && daysAway !== null && daysAway <= UPSELL_WITHIN_DAYS;
  agenda.push({
    title: renewalSoon ? 'Renewal and next steps' : 'Next steps',
    minutes: 5,
    notes: renewalSoon
      ? [
          `Renewal on ${formatDay(date)}, ${plural(daysAway, 'day')} away: agree the path to signature`,
          'Agree owners and dates for each action',
        ]
      : ['Agree owners and dates for each action'],
  });
  return agenda;
}

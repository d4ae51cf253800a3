import { useFilters } from '../components/page-frame.tsx';
import { PageHeader } from '../components/page-frame.tsx';
import { AccountMatchingPanel } from './account-matching-panel.tsx';
import { AnalyticsSettingsForm } from './analytics-settings-form.tsx';
import { HealthModelEditor } from './health-model-editor.tsx';
import { InstallationsPanel, SchedulesPanel } from './installations-panel.tsx';
import { PlanSettingsEditor } from './plan-settings-editor.tsx';
import { WarningRulesEditor } from './warning-rules-editor.tsx';

/**
 * The admin's side: connections and their syncs, account matching across the two CRMs, the health
 * model, warning rules, success plans (stage rules and templates), schedules, analytics settings.
 */

const TABS = [
  ['installations', 'Installations & sync'],
  ['matching', 'Account matching'],
  ['health-model', 'Health model'],
  ['warning-rules', 'Warning rules'],
  ['plans', 'Success plans'],
  ['schedules', 'Schedules'],
  ['analytics', 'Analytics settings'],
] as const;
type Tab = (typeof TABS)[number][0];

function TabBody({ tab }: { tab: Tab }) {
  switch (tab) {
    case 'installations':
      return <InstallationsPanel />;
    case 'matching':
      return <AccountMatchingPanel />;
    case 'health-model':
      return <HealthModelEditor />;
    case 'warning-rules':
      return <WarningRulesEditor />;
    case 'plans':
      return <PlanSettingsEditor />;
    case 'schedules':
      return <SchedulesPanel />;
    case 'analytics':
      return <AnalyticsSettingsForm />;
  }
}

export function AdminPage() {
  const [filters, set] = useFilters(['tab']);
  const tab: Tab = TABS.find(([name]) => name === filters.tab)?.[0] ?? 'installations';
  return (
    <div data-testid="page-admin">
      <PageHeader title="Admin" />
      <div className="bw-tabs" role="tablist" aria-label="Admin sections">
        {TABS.map(([name, label]) => (
          <button
            key={name}
            type="button"
            role="tab"
            aria-selected={tab === name}
            data-testid={`admin-tab-${name}`}
            onClick={() => set('tab', name === 'installations' ? undefined : name)}
          >
            {label}
          </button>
        ))}
      </div>
      <TabBody key={tab} tab={tab} />
    </div>
  );
}

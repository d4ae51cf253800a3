import { hubspot } from '@hubspot/ui-extensions';
import { AccountHealthCard } from './AccountHealthCard.tsx';

// HubSpot runs this file in its extension worker and hands over the record's context.
hubspot.extend<'crm.record.sidebar'>(({ context, actions }) => (
  <AccountHealthCard context={context} actions={actions} />
));

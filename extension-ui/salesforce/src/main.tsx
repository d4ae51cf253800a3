import '@salesforce-ux/design-system/assets/styles/salesforce-lightning-design-system.css';
import './card.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { cardClient } from './api.ts';
import { CanvasCard } from './app.tsx';
import { CanvasContextError, readCanvasContext } from './context.ts';

const root = createRoot(document.getElementById('root') as HTMLElement);
try {
  const context = readCanvasContext(document);
  root.render(
    <StrictMode>
      <CanvasCard client={cardClient(context)} />
    </StrictMode>,
  );
} catch (error) {
  const message = error instanceof CanvasContextError ? error.message : 'The card could not start.';
  root.render(
    <div className="slds-notify slds-notify_alert slds-theme_error" role="alert" data-testid="error">
      <h2>{message}</h2>
    </div>,
  );
}

import { useCallback, useEffect, useMemo, useState } from 'react';
import { buildCardView } from '@bellwether/card-view';
import { describeFailure, type AccountCard, type CardClient, type OverrideRequest } from './api.ts';
import { CardBody } from './card.tsx';
import { OverrideForm } from './override-form.tsx';

/** The Canvas card: loads the account's card once, then lets a person override or ask for a rescore. */

type Load = { state: 'loading' } | { state: 'failed'; message: string } | { state: 'ready'; card: AccountCard };

export function CanvasCard({ client, now = () => new Date() }: { client: CardClient; now?: () => Date }) {
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ tone: 'info' | 'error'; text: string } | null>(null);

  const refresh = useCallback(() => {
    client.load().then(
      (card) => setLoad({ state: 'ready', card }),
      (error: unknown) => setLoad({ state: 'failed', message: describeFailure(error) }),
    );
  }, [client]);
  useEffect(refresh, [refresh]);

  const act = (run: () => Promise<AccountCard | void>, done: string) => {
    setBusy(true);
    setNotice(null);
    run()
      .then(
        (card) => {
          if (card) setLoad({ state: 'ready', card });
          setEditing(false);
          setNotice({ tone: 'info', text: done });
        },
        (error: unknown) => setNotice({ tone: 'error', text: describeFailure(error) }),
      )
      .finally(() => setBusy(false));
  };

  const card = load.state === 'ready' ? load.card : null;
  const view = useMemo(() => (card ? buildCardView(card, { now: now() }) : null), [card, now]);

  return (
    <article className="slds-card bw-card" aria-busy={load.state === 'loading'}>
      <div className="slds-card__header slds-grid">
        <header className="slds-media slds-media_center slds-has-flexi-truncate">
          <div className="slds-media__body">
            <h2 className="slds-card__header-title">
              <span>Customer health{view?.accountName ? ` · ${view.accountName}` : ''}</span>
            </h2>
          </div>
          {card ? (
            <div className="slds-no-flex">
              <button
                className="slds-button slds-button_neutral"
                type="button"
                disabled={busy}
                onClick={() => act(() => client.rescore(), 'Rescore queued: the card updates within a few minutes.')}
              >
                Rescore now
              </button>
              <button
                className="slds-button slds-button_neutral"
                type="button"
                disabled={busy}
                onClick={() =>
                  act(() => client.prepareBrief(), 'QBR brief requested: it appears on the card when written.')
                }
              >
                Prepare QBR brief
              </button>
            </div>
          ) : null}
        </header>
      </div>
      <div className="slds-card__body slds-card__body_inner">
        {load.state === 'loading' ? (
          <div className="bw-loading" role="status">
            <div className="slds-spinner slds-spinner_small slds-spinner_brand" aria-hidden="true">
              <div className="slds-spinner__dot-a" />
              <div className="slds-spinner__dot-b" />
            </div>
            <span className="slds-m-left_large">Loading the account's health…</span>
          </div>
        ) : null}
        {load.state === 'failed' ? (
          <div className="slds-notify slds-notify_alert slds-theme_error" role="alert" data-testid="error">
            <h2>{load.message}</h2>
          </div>
        ) : null}
        {notice ? (
          <div
            className={`slds-notify slds-notify_alert ${notice.tone === 'error' ? 'slds-theme_error' : 'slds-theme_info'}`}
            role={notice.tone === 'error' ? 'alert' : 'status'}
            data-testid="notice"
          >
            <h2>{notice.text}</h2>
          </div>
        ) : null}
        {view ? <CardBody view={view} /> : null}
      </div>
      {card ? (
        <footer className="slds-card__footer">
          {editing ? (
            <OverrideForm
              busy={busy}
              onCancel={() => setEditing(false)}
              onSubmit={(request: OverrideRequest) => act(() => client.setOverride(request), 'Override saved.')}
            />
          ) : card.override?.active ? (
            <button
              className="slds-button slds-button_text-destructive"
              type="button"
              disabled={busy}
              onClick={() => act(() => client.clearOverride(), 'Override cleared.')}
            >
              Clear override
            </button>
          ) : (
            <button className="slds-button" type="button" disabled={busy} onClick={() => setEditing(true)}>
              My view differs: set an override
            </button>
          )}
        </footer>
      ) : null}
    </article>
  );
}

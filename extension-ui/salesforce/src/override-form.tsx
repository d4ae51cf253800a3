import { useState, type FormEvent } from 'react';
import type { OverrideRequest } from './api.ts';

/** "My view differs": a band or a score, a reason and how long it holds; the server checks the rest. */

const DAY_MS = 86_400_000;
type Band = NonNullable<OverrideRequest['band']>;
const BANDS = [
  { value: 'red', label: 'Red' },
  { value: 'yellow', label: 'Yellow' },
  { value: 'green', label: 'Green' },
] as const;

export function OverrideForm({
  onSubmit,
  onCancel,
  busy,
}: {
  onSubmit: (request: OverrideRequest) => void;
  onCancel: () => void;
  busy: boolean;
}) {
  const [band, setBand] = useState<Band>('yellow');
  const [reason, setReason] = useState('');
  const [days, setDays] = useState(30);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit({ band, reason: reason.trim(), expiresAt: new Date(Date.now() + days * DAY_MS).toISOString() });
  };

  return (
    <form className="slds-form slds-box slds-m-top_small" onSubmit={submit} aria-label="Set an override">
      <div className="slds-form-element">
        <label className="slds-form-element__label" htmlFor="bw-override-band">
          Band
        </label>
        <div className="slds-select_container">
          <select
            id="bw-override-band"
            className="slds-select"
            value={band}
            onChange={(event) => setBand(event.target.value as Band)}
          >
            {BANDS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="slds-form-element slds-m-top_x-small">
        <label className="slds-form-element__label" htmlFor="bw-override-reason">
          Reason
        </label>
        <textarea
          id="bw-override-reason"
          className="slds-textarea"
          required
          minLength={3}
          maxLength={2000}
          value={reason}
          onChange={(event) => setReason(event.target.value)}
        />
      </div>
      <div className="slds-form-element slds-m-top_x-small">
        <label className="slds-form-element__label" htmlFor="bw-override-days">
          Holds for (days)
        </label>
        <input
          id="bw-override-days"
          className="slds-input"
          type="number"
          min={1}
          max={365}
          value={days}
          onChange={(event) => setDays(Number(event.target.value))}
        />
      </div>
      <div className="slds-m-top_small">
        <button className="slds-button slds-button_brand" type="submit" disabled={busy}>
          Save override
        </button>
        <button className="slds-button slds-button_neutral" type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}

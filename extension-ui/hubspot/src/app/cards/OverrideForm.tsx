import { Button, Flex, Form, Modal, ModalBody, ModalFooter, Select, Text, TextArea } from '@hubspot/ui-extensions';
import { useState } from 'react';
import { BAND_LABEL, type Band } from '@bellwether/card-view';
import type { OverrideRequest } from './api.ts';

export const OVERRIDE_MODAL_ID = 'bellwether-override';

const DURATIONS = [7, 30, 90] as const;
const DAY_MS = 86_400_000;
const BANDS: Band[] = ['green', 'yellow', 'red'];

interface OverrideFormProps {
  now: () => Date;
  onSubmit: (request: OverrideRequest) => Promise<void>;
}

/** The override modal: a band, why, and for how long (the API caps an override's life). */
export function OverrideForm({ now, onSubmit }: OverrideFormProps) {
  const [band, setBand] = useState<Band>('green');
  const [days, setDays] = useState<number>(30);
  const [reason, setReason] = useState('');
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const reasonTooShort = reason.trim().length < 3;

  const submit = async () => {
    if (reasonTooShort) {
      setFailure('Say why, in at least 3 characters.');
      return;
    }
    setSaving(true);
    setFailure(null);
    try {
      await onSubmit({
        band,
        reason: reason.trim(),
        expiresAt: new Date(now().getTime() + days * DAY_MS).toISOString(),
      });
    } catch (error) {
      setFailure(error instanceof Error ? error.message : String(error));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal id={OVERRIDE_MODAL_ID} title="Override the health band" width="md">
      <ModalBody>
        <Form preventDefault onSubmit={() => void submit()}>
          <Flex direction="column" gap="sm">
            <Select
              label="Band"
              name="band"
              required
              value={band}
              options={BANDS.map((value) => ({ label: BAND_LABEL[value], value }))}
              onChange={(value) => setBand(value as Band)}
            />
            <Select
              label="For"
              name="days"
              required
              value={days}
              options={DURATIONS.map((value) => ({ label: `${value} days`, value }))}
              onChange={(value) => setDays(Number(value))}
            />
            <TextArea
              label="Reason"
              name="reason"
              required
              maxLength={2000}
              value={reason}
              error={failure !== null && reasonTooShort}
              validationMessage={failure ?? ''}
              onChange={setReason}
            />
            {failure !== null && !reasonTooShort ? <Text variant="microcopy">{failure}</Text> : null}
          </Flex>
        </Form>
      </ModalBody>
      <ModalFooter>
        <Button variant="primary" disabled={saving} onClick={() => void submit()} testId="override-submit">
          Save override
        </Button>
      </ModalFooter>
    </Modal>
  );
}

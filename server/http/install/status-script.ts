/**
 * The installation page's script, served as a file (the CSP admits no inline script). It polls the
 * status endpoint every two seconds and writes with textContent only, so nothing from the CRM can
 * become markup; Disconnect posts JSON, which a cross-site form cannot.
 */
export const STATUS_SCRIPT = String.raw`(() => {
  'use strict';
  const root = document.getElementById('installation');
  if (!root) return;
  const id = root.getAttribute('data-installation-id');
  const statusUrl = '/api/installations/' + encodeURIComponent(id) + '/status';
  const $ = (selector) => document.getElementById(selector);
  const time = (iso) => (iso ? new Date(iso).toLocaleString() : '–');
  const cell = (row, text) => {
    const td = document.createElement('td');
    td.textContent = text;
    row.appendChild(td);
  };

  function describeProgress(progress) {
    if (progress === null || progress === undefined) return '';
    if (progress === 0) return '';
    if (typeof progress !== 'object') return String(progress) + (typeof progress === 'number' ? '%' : '');
    // The sync reports {object, phase, records, calls}.
    if (typeof progress.object === 'string' && typeof progress.records === 'number') {
      return (progress.phase ? progress.phase + ' ' : '') + progress.object + ', ' + progress.records + ' records' +
        (typeof progress.calls === 'number' ? ', ' + progress.calls + ' calls so far' : '');
    }
    return Object.entries(progress)
      .filter(([, value]) => value === null || ['string', 'number', 'boolean'].includes(typeof value))
      .map(([key, value]) => key + ': ' + String(value))
      .join(', ');
  }

  function render(body) {
    const installation = body.installation;
    const status = $('status');
    status.textContent = installation.status;
    status.className = 'status-' + installation.status;
    $('status-reason').textContent = installation.statusReason ? ' (' + installation.statusReason + ')' : '';

    const run = body.run;
    if (run) {
      const progress = describeProgress(run.progress);
      $('run').textContent =
        (run.mode ? run.mode + ' sync ' : 'Sync ') + run.state + (progress ? ': ' + progress : '') +
        (run.dueAt && run.state === 'delayed' ? ' (resumes ' + time(run.dueAt) + ')' : '') +
        (run.failedReason ? ' (last error: ' + run.failedReason + ')' : '');
    } else {
      const finished = body.objects.map((o) => o.lastFinishedAt).filter(Boolean).sort().pop();
      $('run').textContent = finished ? 'Idle; last sync finished ' + time(finished) : 'No sync running';
    }

    const rows = $('objects');
    rows.replaceChildren();
    for (const object of body.objects) {
      const row = document.createElement('tr');
      row.setAttribute('data-object', object.objectType);
      cell(row, object.objectType);
      cell(row, String(object.records));
      cell(row, time(object.lastFinishedAt));
      cell(row, object.lastError || '');
      rows.appendChild(row);
    }

    const SCHEDULE_LABELS = {
      'sync.incremental': 'Changes from the CRM, every 5 minutes',
      'sync.reconcile': 'Daily reconciliation of every record',
      'score.daily': 'Daily rescoring of every account',
    };
    const schedules = $('schedules');
    schedules.replaceChildren();
    for (const schedule of body.schedules) {
      const item = document.createElement('li');
      const name = schedule.id.split('@')[0];
      const label = SCHEDULE_LABELS[name] || name;
      item.textContent = label + (schedule.pattern ? ' (cron ' + schedule.pattern + ' UTC)' : '') + '; next ' + time(schedule.nextRunAt);
      schedules.appendChild(item);
    }
    if (body.schedules.length === 0) {
      const item = document.createElement('li');
      item.className = 'muted';
      item.textContent = installation.status === 'active' ? 'being set up' : 'paused';
      schedules.appendChild(item);
    }
    const gone = installation.status === 'uninstalled';
    $('disconnect').hidden = gone;
    if (gone) {
      $('disconnect-confirm').hidden = true;
      $('disconnect-cancel').hidden = true;
    }
  }

  let stopped = false;
  async function poll() {
    try {
      const response = await fetch(statusUrl, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (response.ok) {
        render(await response.json());
        $('poll-error').textContent = '';
      } else if (response.status === 404 && $('status').textContent === 'uninstalled') {
        // The uninstall job purged it: nothing left to poll.
        $('run').textContent = 'Disconnected; its data has been deleted.';
        $('objects').replaceChildren();
        stopped = true;
      } else {
        $('poll-error').textContent = 'Status unavailable (HTTP ' + response.status + ')';
      }
    } catch (error) {
      $('poll-error').textContent = 'Status unavailable: ' + error.message;
    } finally {
      if (!stopped) setTimeout(poll, 2000);
    }
  }

  $('disconnect').addEventListener('click', () => {
    $('disconnect-confirm').hidden = false;
    $('disconnect-cancel').hidden = false;
  });
  $('disconnect-cancel').addEventListener('click', () => {
    $('disconnect-confirm').hidden = true;
    $('disconnect-cancel').hidden = true;
  });
  $('disconnect-confirm').addEventListener('click', async () => {
    $('disconnect-confirm').disabled = true;
    const response = await fetch('/api/installations/' + encodeURIComponent(id) + '/disconnect', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      credentials: 'same-origin',
      body: '{}',
    });
    if (!response.ok) $('poll-error').textContent = 'Disconnect failed (HTTP ' + response.status + ')';
    $('disconnect-confirm').disabled = false;
  });

  poll();
})();
`;

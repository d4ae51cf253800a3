/**
 * A worker process for the kill-and-resume test: the real worker start (runtime, migrations,
 * schedulers, the sync jobs) with short BullMQ locks and sync leases, so a killed worker's run is
 * picked up again within seconds instead of the production half minute.
 */
import { startJobs } from '../../../../jobs/worker.ts';
import { bootRuntime, runProcess } from '../../../../server/platform/runtime.ts';

runProcess(async () => {
  const runtime = await bootRuntime('worker');
  try {
    await startJobs(runtime, { lockDurationMs: 2_000, stalledIntervalMs: 1_000, leaseMs: 2_000, busyDelayMs: 300 });
  } catch (error) {
    await runtime.close();
    throw error;
  }
  process.stdout.write('worker ready\n');
  return { shutdown: runtime.close, logger: runtime.logger };
});

import type { BacktestReportBody } from '../api/contracts.ts';
import { Num } from '../components/figures.tsx';
import { count, day, decimal, share } from '../format.ts';

/** A backtest in a reader's terms: how well the draft separates renewals from churn, and how it is calibrated. */
export function BacktestReport({ report }: { report: BacktestReportBody }) {
  return (
    <div data-testid="backtest-report">
      <dl className="bw-kv">
        <dt>Scored as of</dt>
        <dd>
          {day(report.asOf)}, outcomes over the next {count(report.horizonDays)} days
        </dd>
        <dt>Accounts</dt>
        <dd>
          <Num id="backtest-accounts" value={report.accounts}>
            {count(report.accounts)}
          </Num>{' '}
          ({count(report.scored)} scored, {count(report.churned)} churned)
        </dd>
        <dt>AUC</dt>
        <dd>
          <Num id="backtest-auc" value={report.auc}>
            {decimal(report.auc, 3)}
          </Num>{' '}
          <span className="bw-muted">(0.5 is a coin toss, 1 separates perfectly)</span>
        </dd>
        <dt>Bottom 20 %</dt>
        <dd>
          held{' '}
          <Num id="backtest-bottom20-share" value={report.bottom20.churnedArrShare}>
            {share(report.bottom20.churnedArrShare)}
          </Num>{' '}
          of churned ARR; churn rate {share(report.bottom20.churnRate)} against {share(report.bottom20.baseChurnRate)}{' '}
          overall
        </dd>
      </dl>
      {report.calibration.length > 0 ? (
        <table className="bw-table" style={{ marginTop: 8 }}>
          <thead>
            <tr>
              <th>Score</th>
              <th className="bw-numeric">Accounts</th>
              <th className="bw-numeric">Churned</th>
              <th className="bw-numeric">Renewed (observed)</th>
              <th className="bw-numeric">Renewed (predicted)</th>
            </tr>
          </thead>
          <tbody>
            {report.calibration.map((row) => (
              <tr key={`${row.from}-${row.to}`}>
                <td>
                  {row.from}–{row.to}
                </td>
                <td className="bw-numeric">{count(row.accounts)}</td>
                <td className="bw-numeric">{count(row.churned)}</td>
                <td className="bw-numeric">{share(row.observedRenewal)}</td>
                <td className="bw-numeric">{share(row.predictedRenewal)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

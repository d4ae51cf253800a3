import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

/**
 * The dashboard's charts over recharts: one composed chart (bars and lines over a category axis) is
 * enough for every figure here. Animation is off: leaders compare numbers, and screenshots stay stable.
 */

export const SERIES_COLOURS = {
  blue: '#2563eb',
  teal: '#0f766e',
  red: '#dc2626',
  amber: '#d97706',
  green: '#16a34a',
  grey: '#64748b',
  violet: '#7c3aed',
} as const;

export interface Series {
  key: string;
  label: string;
  colour: string;
  kind?: 'bar' | 'line';
  /** Bars with the same stack id pile up. */
  stack?: string;
  dashed?: boolean;
}

export function Chart<Datum extends object>({
  id,
  data,
  x,
  series,
  format,
  formatX,
  height = 260,
  label,
}: {
  id: string;
  data: readonly Datum[];
  x: keyof Datum & string;
  series: Series[];
  format: (value: number) => string;
  formatX?: (value: string) => string;
  height?: number;
  /** What the chart shows, for people who cannot see it. */
  label: string;
}) {
  return (
    <figure className="bw-chart" data-testid={`${id}-chart`} aria-label={label} data-points={data.length}>
      <ResponsiveContainer width="100%" height={height}>
        <ComposedChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
          <CartesianGrid stroke="#e2e8f0" vertical={false} />
          <XAxis
            dataKey={(datum: Datum) => datum[x] as string}
            tick={{ fontSize: 11, fill: '#475569' }}
            tickLine={false}
            axisLine={{ stroke: '#cbd5e1' }}
            {...(formatX ? { tickFormatter: (value: string) => formatX(String(value)) } : {})}
          />
          <YAxis
            tick={{ fontSize: 11, fill: '#475569' }}
            tickLine={false}
            axisLine={false}
            width={64}
            tickFormatter={(value: number) => format(value)}
          />
          <Tooltip
            formatter={(value) => (typeof value === 'number' ? format(value) : String(value))}
            {...(formatX
              ? { labelFormatter: (value) => formatX(typeof value === 'string' ? value : String(value as number)) }
              : {})}
          />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {series.map((one) =>
            one.kind === 'line' ? (
              <Line
                key={one.key}
                type="monotone"
                dataKey={one.key}
                name={one.label}
                stroke={one.colour}
                strokeWidth={2}
                dot={{ r: 2 }}
                isAnimationActive={false}
                connectNulls
                {...(one.dashed ? { strokeDasharray: '5 4' } : {})}
              />
            ) : (
              <Bar
                key={one.key}
                dataKey={one.key}
                name={one.label}
                fill={one.colour}
                isAnimationActive={false}
                maxBarSize={36}
                {...(one.stack ? { stackId: one.stack } : {})}
              />
            ),
          )}
        </ComposedChart>
      </ResponsiveContainer>
    </figure>
  );
}

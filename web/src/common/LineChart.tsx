interface Series {
  name: string;
  color: string;
  points: { x_cord: number; y_cord: number }[];
}

/** A small SVG line chart of time series (x in epoch milliseconds), with a legend and an accessible summary. */
export function LineChart({ series, label }: { series: Series[]; label: string }) {
  const width = 640;
  const height = 220;
  const pad = { left: 36, right: 12, top: 12, bottom: 28 };
  const all = series.flatMap((s) => s.points);
  if (!all.length) return <p className="ak-muted">No data.</p>;
  const xs = all.map((p) => p.x_cord);
  const minX = Math.min(...xs);
  const maxX = Math.max(...xs, minX + 1);
  const maxY = Math.max(1, ...all.map((p) => p.y_cord));
  const x = (v: number) => pad.left + ((v - minX) / (maxX - minX)) * (width - pad.left - pad.right);
  const y = (v: number) => height - pad.bottom - (v / maxY) * (height - pad.top - pad.bottom);
  const ticks = [0, Math.round(maxY / 2), maxY];
  const days = [0, 0.25, 0.5, 0.75, 1].map((f) => minX + f * (maxX - minX));
  const totals = series.map((s) => `${s.name}: ${s.points.reduce((sum, p) => sum + p.y_cord, 0)}`).join(', ');
  return (
    <figure style={{ margin: 0 }}>
      <svg className="ak-chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${label}. ${totals}`} preserveAspectRatio="none">
        {ticks.map((t) => (
          <g key={t}>
            <line x1={pad.left} x2={width - pad.right} y1={y(t)} y2={y(t)} stroke="currentColor" strokeOpacity="0.15" />
            <text x={pad.left - 6} y={y(t) + 4} textAnchor="end">{t}</text>
          </g>
        ))}
        {days.map((d) => <text key={d} x={x(d)} y={height - 8} textAnchor="middle">{new Date(d).toLocaleDateString(undefined, { weekday: 'short' })}</text>)}
        {series.map((s) => {
          const points = [...s.points].sort((a, b) => a.x_cord - b.x_cord);
          return <polyline key={s.name} fill="none" stroke={s.color} strokeWidth="2" points={points.map((p) => `${x(p.x_cord)},${y(p.y_cord)}`).join(' ')} />;
        })}
      </svg>
      <figcaption style={{ display: 'flex', gap: '1rem', flexWrap: 'wrap' }}>
        {series.map((s) => (
          <span key={s.name}><span aria-hidden style={{ display: 'inline-block', width: 12, height: 3, background: s.color, verticalAlign: 'middle', marginRight: 4 }} />{s.name}</span>
        ))}
      </figcaption>
    </figure>
  );
}

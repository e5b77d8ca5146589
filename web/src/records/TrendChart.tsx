import { useId } from "react";
import { useTranslation } from "react-i18next";
import type { Schemas } from "../api/client";
import { whenText } from "../components/dates";
import { flagWords } from "./format";

type Trend = Schemas["Trend"];
type Point = Schemas["TrendPoint"];

// Drawn small and scaled to the page's width: text stays readable on a 360 px phone.
const WIDTH = 480;
const HEIGHT = 270;
const LEFT = 52;
const RIGHT = 16;
const TOP = 30;
const BOTTOM = 44;
const SMALL = 14;
const LARGE = 16;
const NUMBER = /-?\d+(?:\.\d+)?/.source;

/** A reference range as labs write it ("70-99", "<5.7", ">=40"): its bounds, where it has them. */
export function rangeBounds(range: string | null): { low: number | null; high: number | null } | null {
  if (!range) return null;
  const between = new RegExp(`^\\s*(${NUMBER})\\s*(?:-|–|to)\\s*(${NUMBER})\\s*$`).exec(range);
  if (between) return { low: Number(between[1]), high: Number(between[2]) };
  const below = new RegExp(`^\\s*(?:<=?|≤)\\s*(${NUMBER})\\s*$`).exec(range);
  if (below) return { low: null, high: Number(below[1]) };
  const above = new RegExp(`^\\s*(?:>=?|≥)\\s*(${NUMBER})\\s*$`).exec(range);
  if (above) return { low: Number(above[1]), high: null };
  return null;
}

/** Units as the API compares them: "mg/dL", "mg/dl" and "mg / dL" are one unit. */
export function sameUnits(a: string | null, b: string | null): boolean {
  const key = (units: string | null) => (units ?? "").replace(/\s+/g, "").toLowerCase();
  return key(a) === key(b);
}

function flagged(point: Point): boolean {
  return point.flags.some((flag) => flag !== "N") || point.critical;
}

function moment(point: Point): number | null {
  if (!point.at) return null;
  const parsed = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(point.at) ? `${point.at}T00:00:00Z` : point.at);
  return Number.isNaN(parsed) ? null : parsed;
}

/** Round steps for the value axis (1, 2, 2.5 or 5 times a power of ten), about four of them. */
export function niceTicks(min: number, max: number): number[] {
  const rough = (max - min) / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * power >= rough) ?? 10) * power;
  const ticks: number[] = [];
  for (let tick = Math.ceil(min / step) * step; tick <= max + step * 1e-9; tick += step) {
    ticks.push(Number(tick.toPrecision(12)));
  }
  return ticks;
}

/** Where the line breaks: a point read apart from the rest (the values between were not read) is
 * never joined to its neighbours. Each run of joined points, as indexes. */
export function segments(points: Point[]): number[][] {
  const runs: number[][] = [];
  points.forEach((point, index) => {
    const previous = points[index - 1];
    const run = runs[runs.length - 1];
    if (run === undefined || point.outside_window || previous?.outside_window) runs.push([index]);
    else run.push(index);
  });
  return runs;
}

/**
 * One test's values in one unit over time, drawn as a line (inline SVG), with the latest normal
 * range shaded and each value and date written beside its point; every value follows as a table,
 * which is what a screen reader reads (the drawing is one image with a summary for its name). A
 * flagged value is a square, not only another colour. Values of the test in other units are in
 * the table only, said to be left off the chart: on one axis, 5.5 mmol/L would read as a
 * dangerously low glucose beside 99 mg/dL.
 */
export function TrendChart({ trend }: { trend: Trend }) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const name = trend.code.display || trend.code.code;
  // The API never puts another unit on the line; checked here too, as the one thing a chart of
  // values must not get wrong.
  const points = trend.points.filter((point) => sameUnits(point.units, trend.units));
  const notCharted = [...trend.points.filter((point) => !sameUnits(point.units, trend.units)), ...trend.other_units];
  const values = points.map((point) => Number(point.value));
  const earliest = points[0];
  const latest = points[points.length - 1];
  if (earliest === undefined || latest === undefined) return null;
  const units = trend.units ?? "";
  const drawn = points.length > 1;
  const bounds = rangeBounds(latest.reference_range);
  const flaggedCount = points.filter(flagged).length;
  const apart = points.some((point) => point.outside_window);

  const candidates = [...values, ...(bounds ? [bounds.low, bounds.high].filter((b): b is number => b !== null) : [])];
  let min = Math.min(...candidates);
  let max = Math.max(...candidates);
  if (min === max) {
    min -= 1;
    max += 1;
  }
  const pad = (max - min) * 0.12;
  min -= pad;
  max += pad;
  const y = (value: number) => TOP + ((max - value) / (max - min)) * (HEIGHT - TOP - BOTTOM);

  // Time along the axis when every date is known and they differ; else one step per value.
  const moments = points.map(moment);
  const known = moments.every((m): m is number => m !== null) && Math.max(...(moments as number[])) > Math.min(...(moments as number[]));
  const first = known ? Math.min(...(moments as number[])) : 0;
  const last = known ? Math.max(...(moments as number[])) : points.length - 1;
  const x = (index: number) => {
    const position = known ? (moments[index] as number) : index;
    return LEFT + ((position - first) / (last - first || 1)) * (WIDTH - LEFT - RIGHT);
  };

  const number = new Intl.NumberFormat(i18n.language, { maximumSignificantDigits: 4 });
  const ticks = niceTicks(min, max);
  const dateLabel = (point: Point) => whenText(point.at, i18n.language)?.replace(/,? \d{1,2}:\d{2}.*$/, "") ?? "";
  // Dates under the axis where they fit: the latest always, then earlier ones at least a date's
  // width apart (the table has every date).
  const labelled: number[] = [];
  for (let index = points.length - 1; index >= 0; index--) {
    const last = labelled[labelled.length - 1];
    if (last === undefined || x(last) - x(index) >= 110) labelled.push(index);
  }
  const summary = [
    t(units ? "records.trend.summaryUnits" : "records.trend.summary", {
      name,
      units,
      count: points.length,
      from: dateLabel(earliest),
      to: dateLabel(latest),
      latest: `${latest.value}${units ? ` ${units}` : ""}`,
    }),
    flaggedCount > 0 ? t("records.trend.flaggedSummary", { count: flaggedCount }) : "",
    apart ? t("records.trend.apartSummary") : "",
    notCharted.length > 0 ? t("records.trend.otherUnitsSummary", { count: notCharted.length }) : "",
  ]
    .filter(Boolean)
    .join(" ");
  // The table has every value, those of other units too, in the order they were observed.
  const rows = [
    ...points.map((point) => ({ point, charted: true })),
    ...notCharted.map((point) => ({ point, charted: false })),
  ].sort((a, b) => (a.point.at ?? "").localeCompare(b.point.at ?? ""));

  return (
    <figure className="margin-x-0 margin-y-3" aria-labelledby={`${id}-caption`}>
      <figcaption id={`${id}-caption`} className="text-bold margin-bottom-1">
        {t("records.trend.caption", { name })}
      </figcaption>
      {drawn ? (
        <svg
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          width="100%"
          role="img"
          aria-labelledby={`${id}-title`}
          style={{ maxWidth: `${WIDTH}px`, height: "auto" }}
        >
          <title id={`${id}-title`}>{summary}</title>
          {bounds && (
            <>
              <rect
                x={LEFT}
                width={WIDTH - LEFT - RIGHT}
                y={bounds.high === null ? TOP : y(bounds.high)}
                height={
                  (bounds.low === null ? HEIGHT - BOTTOM : y(bounds.low)) - (bounds.high === null ? TOP : y(bounds.high))
                }
                fill="#e3f5e1"
              />
              <text
                x={WIDTH - RIGHT - 4}
                y={(bounds.low === null ? HEIGHT - BOTTOM : y(bounds.low)) - 6}
                textAnchor="end"
                fontSize={SMALL}
                fill="#216e1f"
              >
                {t("records.trend.normalRange", { range: latest.reference_range })}
              </text>
            </>
          )}
          {ticks.map((tick) => (
            <g key={tick}>
              <line x1={LEFT} x2={WIDTH - RIGHT} y1={y(tick)} y2={y(tick)} stroke="#dfe1e2" />
              <text x={LEFT - 8} y={y(tick) + 4} textAnchor="end" fontSize={SMALL} fill="#3d4551">
                {number.format(tick)}
              </text>
            </g>
          ))}
          <line x1={LEFT} x2={LEFT} y1={TOP} y2={HEIGHT - BOTTOM} stroke="#71767a" />
          <line x1={LEFT} x2={WIDTH - RIGHT} y1={HEIGHT - BOTTOM} y2={HEIGHT - BOTTOM} stroke="#71767a" />
          {units && (
            <text x={LEFT} y={TOP - 10} fontSize={SMALL} fill="#3d4551">
              {units}
            </text>
          )}
          {segments(points)
            .filter((run) => run.length > 1)
            .map((run) => (
              <polyline
                key={run[0]}
                fill="none"
                stroke="#005ea2"
                strokeWidth="2.5"
                points={run.map((index) => `${x(index)},${y(values[index] as number)}`).join(" ")}
              />
            ))}
          {points.map((point, index) => {
            const cx = x(index);
            const cy = y(Number(point.value));
            return (
              <g key={`${point.result_id}-${index}`}>
                {flagged(point) ? (
                  <rect x={cx - 6} y={cy - 6} width="12" height="12" fill="#b50909" />
                ) : (
                  <circle cx={cx} cy={cy} r="5.5" fill="#005ea2" />
                )}
                <text x={cx} y={cy - 11} textAnchor="middle" fontSize={LARGE} fontWeight="bold" fill="#1b1b1b">
                  {point.value}
                </text>
                {labelled.includes(index) && (
                  <text
                    x={cx}
                    y={HEIGHT - BOTTOM + 20}
                    textAnchor={index === 0 && points.length > 1 ? "start" : index === points.length - 1 ? "end" : "middle"}
                    fontSize={SMALL}
                    fill="#3d4551"
                  >
                    {dateLabel(point)}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
      ) : (
        <p>{t("records.trend.oneValue")}</p>
      )}
      {drawn && (flaggedCount > 0 || apart) && (
        <p className="usa-hint margin-top-05">
          {[flaggedCount > 0 ? t("records.trend.keyFlagged") : "", apart ? t("records.trend.keyApart") : ""]
            .filter(Boolean)
            .join(" ")}
        </p>
      )}
      <table className="usa-table usa-table--stacked usa-table--borderless usa-table--compact width-full">
          <caption id={`${id}-table`}>{t("records.trend.tableCaption", { name })}</caption>
          <thead>
            <tr>
              <th scope="col">{t("records.trend.when")}</th>
              <th scope="col">{t("result.value")}</th>
              <th scope="col">{t("result.range")}</th>
              <th scope="col">{t("result.flags")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ point, charted }, index) => {
              const flags = flagWords(point, t);
              return (
                <tr key={`${point.result_id}-${index}`}>
                  <th scope="row" data-label={t("records.trend.when")}>
                    {whenText(point.at, i18n.language) ?? t("results.unknownDate")}
                  </th>
                  <td data-label={t("result.value")}>
                    {point.value}
                    {point.units && ` ${point.units}`}
                    {!charted && <strong className="display-block">{t("records.trend.otherUnits")}</strong>}
                  </td>
                  <td data-label={t("result.range")}>{point.reference_range ?? t("result.noRange")}</td>
                  <td data-label={t("result.flags")}>{flags.length === 0 ? t("result.noFlags") : flags.join(", ")}</td>
                </tr>
              );
            })}
          </tbody>
      </table>
    </figure>
  );
}

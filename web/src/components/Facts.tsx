import type { ReactNode } from "react";

/**
 * A term and its value. In a `Facts` list they stand one under another on a phone and side by
 * side in columns from a tablet's width up.
 */
export function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="tablet:grid-col-6 desktop:grid-col-4 margin-bottom-1">
      <dt className="text-bold">{term}</dt>
      <dd className="margin-left-0">{children}</dd>
    </div>
  );
}

export function Facts({ children }: { children: ReactNode }) {
  return <dl className="grid-row grid-gap margin-top-0">{children}</dl>;
}

import type { ReactNode } from 'react';

export interface Column<T> {
  key: string;
  header: ReactNode;
  render: (row: T) => ReactNode;
  /** Right-aligned, tabular figures. */
  numeric?: boolean;
}

/**
 * A plain, accessible table. On a narrow window it scrolls sideways inside a focusable region, so the
 * keyboard can scroll it too.
 */
export function DataTable<T>({ caption, columns, rows, rowKey, empty, captionHidden = false }: { caption: string; columns: Column<T>[]; rows: readonly T[]; rowKey: (row: T) => string; empty?: ReactNode; captionHidden?: boolean }) {
  if (rows.length === 0 && empty) return <p className="empty">{empty}</p>;
  return (
    <div className="table-scroll" role="region" aria-label={caption} tabIndex={0}>
      <table className="data-table">
        <caption className={captionHidden ? 'visually-hidden' : undefined}>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" className={c.numeric ? 'num' : undefined}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((c) => (
                <td key={c.key} className={c.numeric ? 'num' : undefined}>
                  {c.render(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

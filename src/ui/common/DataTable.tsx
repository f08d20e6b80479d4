import type { ReactNode } from 'react';
import './data-table.css';

/** One column of a DataTable: its header, how a row fills its cell, and how the cell reads. */
export interface Column<R> {
  /** Unique among the columns (the React key). */
  key: string;
  header: ReactNode;
  cell: (row: R, index: number) => ReactNode;
  /** Right-aligned with tabular figures. */
  numeric?: boolean;
  /** The row's header cell (<th scope="row">), e.g. the variant or the layer name. */
  rowHeader?: boolean;
  /** Hover text of a cell. */
  title?: (row: R) => string | undefined;
  /** The cell of the footer row (a total), when the table has one; the first is its row header. */
  footer?: ReactNode;
}

/** Attributes a row carries for scripts and tests (the automation contract). */
export type RowAttributes = Record<`data-${string}`, string | number>;

interface DataTableProps<R> {
  columns: readonly Column<R>[];
  rows: readonly R[];
  rowKey: (row: R, index: number) => string;
  rowAttributes?: (row: R, index: number) => RowAttributes;
  caption?: ReactNode;
  testId?: string;
  className?: string;
  /** Test id and extra class of the scrolling wrapper. */
  wrapperTestId?: string;
  wrapperClassName?: string;
}

/** A header cell (with its scope) or a data cell, right-aligned when numeric. */
function Cell<R>(props: {
  column: Column<R>;
  header: boolean;
  title?: string;
  children: ReactNode;
}) {
  const Tag = props.header ? 'th' : 'td';
  return (
    <Tag
      scope={props.header ? 'row' : undefined}
      className={props.column.numeric ? 'num' : undefined}
      title={props.title}
    >
      {props.children}
    </Tag>
  );
}

/**
 * A table driven by a column list: one header row, one row per item, a footer row when a column
 * has a footer; it scrolls sideways inside its card rather than widening it.
 */
export function DataTable<R>({
  columns,
  rows,
  rowKey,
  rowAttributes,
  caption,
  testId,
  className,
  wrapperTestId,
  wrapperClassName,
}: DataTableProps<R>) {
  const hasFooter = columns.some((c) => c.footer !== undefined);
  return (
    <div
      className={wrapperClassName ? `table-scroll ${wrapperClassName}` : 'table-scroll'}
      data-testid={wrapperTestId}
    >
      <table className={className} data-testid={testId}>
        {caption && <caption>{caption}</caption>}
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
          {rows.map((row, i) => (
            <tr key={rowKey(row, i)} {...rowAttributes?.(row, i)}>
              {columns.map((c) => (
                <Cell key={c.key} column={c} header={!!c.rowHeader} title={c.title?.(row)}>
                  {c.cell(row, i)}
                </Cell>
              ))}
            </tr>
          ))}
        </tbody>
        {hasFooter && (
          <tfoot>
            <tr>
              {columns.map((c, i) => (
                <Cell key={c.key} column={c} header={i === 0}>
                  {c.footer}
                </Cell>
              ))}
            </tr>
          </tfoot>
        )}
      </table>
    </div>
  );
}

import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Column } from './DataTable';
import { DataTable } from './DataTable';

interface Row {
  name: string;
  bytes: number;
}

const columns: Column<Row>[] = [
  { key: 'name', header: 'Layer', rowHeader: true, cell: (r) => r.name, footer: 'Total' },
  {
    key: 'bytes',
    header: 'Bytes',
    numeric: true,
    cell: (r) => String(r.bytes),
    title: (r) => `${r.bytes} exactly`,
    footer: '30',
  },
];

function render(extra: Partial<Parameters<typeof DataTable<Row>>[0]> = {}): string {
  return renderToStaticMarkup(
    createElement(DataTable<Row>, {
      columns,
      rows: [
        { name: 'dense1', bytes: 10 },
        { name: 'dense2', bytes: 20 },
      ],
      rowKey: (r) => r.name,
      ...extra,
    }),
  );
}

describe('DataTable', () => {
  it('draws a header row, one row per item and the footer from the column list', () => {
    const html = render({ caption: 'Sizes', testId: 'sizes' });
    expect(html).toContain('<table data-testid="sizes"><caption>Sizes</caption>');
    expect(html).toContain('<th scope="col">Layer</th><th scope="col" class="num">Bytes</th>');
    expect(html).toContain('<th scope="row">dense1</th><td class="num" title="10 exactly">10</td>');
    expect(html).toContain('<tfoot><tr><th scope="row">Total</th><td class="num">30</td></tr>');
  });

  it('puts the automation attributes on each row', () => {
    const html = render({
      rowAttributes: (r) => ({ 'data-testid': 'result-row', 'data-size-bytes': r.bytes }),
    });
    expect(html.match(/<tr data-testid="result-row" data-size-bytes="\d+">/g)).toHaveLength(2);
    expect(html).toContain('data-size-bytes="20"');
  });

  it('leaves the footer out when no column has one', () => {
    const plain = columns.map(({ footer: _footer, ...c }) => c);
    expect(render({ columns: plain })).not.toContain('<tfoot>');
  });
});

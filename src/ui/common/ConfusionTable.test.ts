import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ConfusionTable } from './ConfusionTable';

describe('ConfusionTable', () => {
  it('draws k × k value cells (row headers apart), shaded, with the diagonal marked', () => {
    const html = renderToStaticMarkup(
      createElement(ConfusionTable, {
        testId: 'm',
        values: [5, -1, 0, 2],
        classNames: ['cat', 'dog'],
        boldDiagonal: true,
        format: (v: number) => (v > 0 ? `+${v}` : String(v)),
        shade: (v: number) => ({ background: v > 0 ? 'blue' : 'transparent' }),
      }),
    );
    const body = html.slice(html.indexOf('<tbody>'));
    expect(body.match(/<td/g)).toHaveLength(4);
    expect(body).toContain('<th scope="row" title="cat">cat</th>');
    expect(body).toContain('<td class="diagonal" style="background:blue">+5</td>');
    expect(body).toContain('<td style="background:transparent">-1</td>');
    expect(body).toContain('<td class="diagonal" style="background:blue">+2</td>');
  });
});

// Shared axis titles for the views' charts: units in the title, clear of the tick labels.

/** Width (px) of a y axis with a title: room for ticks like "0.25" and the rotated title. */
export const Y_AXIS_WIDTH = 62;

/** Props of a y axis title, centred along the axis at its outer edge. */
export function yTitle(value: string) {
  return {
    value,
    angle: -90,
    position: 'insideLeft' as const,
    offset: 8,
    style: { textAnchor: 'middle' as const, fontSize: 12 },
  };
}

/** Props of an x axis title below the ticks. */
export function xTitle(value: string) {
  return { value, position: 'insideBottom' as const, offset: -10, style: { fontSize: 12 } };
}

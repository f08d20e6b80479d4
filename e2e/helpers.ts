import type { Page } from '@playwright/test';
import { expect } from '@playwright/test';

/** Collects console errors and uncaught exceptions of a page. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/** Opens the app and waits for the engine to start and the data to load. */
export async function openApp(page: Page, path = '/'): Promise<void> {
  await page.goto(path);
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', /\w+/);
  await expect(page.getByTestId('dataset-preview')).toBeVisible();
}

/** Switches the compute backend and waits until it is active. */
export async function useBackend(page: Page, backend: string): Promise<void> {
  await page.getByTestId('backend-select').selectOption(backend);
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', backend);
}

/** Sets a number field and checks it took. */
export async function setField(page: Page, testId: string, value: string): Promise<void> {
  const input = page.getByTestId(testId);
  await input.fill(value);
  await expect(input).toHaveValue(value);
}

/**
 * Collects Content-Security-Policy violations: the page's securitypolicyviolation events and
 * every "Content Security Policy" console message (the page's and its workers').
 */
export async function watchCsp(page: Page): Promise<() => Promise<string[]>> {
  const messages: string[] = [];
  page.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) messages.push(m.text());
  });
  page.on('worker', (w) =>
    w.on('console', (m) => {
      if (/Content.Security.Policy/i.test(m.text())) messages.push(`[worker] ${m.text()}`);
    }),
  );
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __csp: string[] }).__csp = seen;
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  return async () => [
    ...messages,
    ...(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)),
  ];
}

/** The "Every technique · tiny" preset on wasm: the small experiment most specs run. */
export async function useTinyPipeline(page: Page): Promise<void> {
  await page.getByTestId('preset-select').selectOption('tiny-pipeline');
  await useBackend(page, 'wasm');
}

/** Clicks Run all and waits until the run is done. */
export async function runAllToDone(page: Page, timeout = 200_000): Promise<void> {
  await page.getByTestId('run-all').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', {
    timeout,
  });
}

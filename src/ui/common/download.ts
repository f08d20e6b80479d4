/** Offers `blob` to the user as a file download named `fileName`. */
export function downloadBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Offers `content` to the user as a file download. */
export function downloadText(fileName: string, content: string, mime: string): void {
  downloadBlob(fileName, new Blob([content], { type: mime }));
}

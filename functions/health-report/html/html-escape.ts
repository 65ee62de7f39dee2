/**
 * Escapes text for HTML element content and quoted attribute values alike. Every string that
 * came from the vendor or the state goes through here: ids, titles, rules, vehicles.
 */
export function escapeHtml(text: string | number): string {
  return String(text)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

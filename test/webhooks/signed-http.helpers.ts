import { signRequestV3 } from '../../webhooks/signature-v3';

export const CLIENT_SECRET = 'test-client-secret';
export const PUBLIC_BASE_URL = 'https://sop.example.com';
export const NOW_MS = Date.UTC(2026, 10, 20, 10, 0, 0);
export const fixedClock = () => NOW_MS;

/** The v3 headers HubSpot would send for this request to PUBLIC_BASE_URL + pathAndQuery. */
export function hubspotHeaders(
  method: string,
  pathAndQuery: string,
  body: string | Buffer = '',
  options: { clientSecret?: string; timestampMs?: number; publicBaseUrl?: string } = {},
): Record<string, string> {
  return signRequestV3({
    clientSecret: options.clientSecret ?? CLIENT_SECRET,
    method,
    uri: (options.publicBaseUrl ?? PUBLIC_BASE_URL) + pathAndQuery,
    body,
    timestampMs: options.timestampMs ?? NOW_MS,
  }).headers;
}

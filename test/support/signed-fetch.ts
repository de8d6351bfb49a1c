import { signRequestV3 } from '../../webhooks/signature-v3';

/**
 * Sends one request to a running service, v3-signed as HubSpot signs it (`publicBaseUrl` is the origin
 * inside the signature; `url` is where the test reaches the service). JSON answers are parsed; plain
 * text (Prometheus metrics, HTML pages) stays a string.
 */
export async function fetchSigned(request: {
  url: string;
  publicBaseUrl: string;
  clientSecret: string;
  method: string;
  pathAndQuery: string;
  body: string | undefined;
  nowMs: number;
}): Promise<{ status: number; body: any }> {
  const { method, pathAndQuery, body } = request;
  const signed = signRequestV3({
    clientSecret: request.clientSecret,
    method,
    uri: request.publicBaseUrl + pathAndQuery,
    body: body ?? '',
    timestampMs: request.nowMs,
  });
  const response = await fetch(request.url + pathAndQuery, {
    method,
    headers: { ...signed.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Plain-text answers stay strings.
  }
  return { status: response.status, body: parsed as any };
}

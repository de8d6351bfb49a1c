import { Signature } from '@hubspot/api-client';
import {
  SIGNATURE_MAX_AGE_MS,
  decodeSignedUriEscapes,
  signRequestV3,
  uriForRequest,
  verifySignatureV3,
} from '../../webhooks/signature-v3';

const CLIENT_SECRET = 'test-client-secret';
const NOW_MS = Date.UTC(2026, 10, 20, 10, 0, 0);
const URI = 'https://sop.example.com/webhooks/hubspot';
const BODY = JSON.stringify([
  { eventId: 1, subscriptionType: 'deal.propertyChange', propertyValue: 'ünïcode' },
]);

function signed(overrides: Partial<Parameters<typeof signRequestV3>[0]> = {}) {
  return signRequestV3({
    clientSecret: CLIENT_SECRET,
    method: 'POST',
    uri: URI,
    body: BODY,
    timestampMs: NOW_MS,
    ...overrides,
  });
}

function verify(overrides: Partial<Parameters<typeof verifySignatureV3>[0]> = {}) {
  const { signature, timestamp } = signed();
  return verifySignatureV3({
    clientSecret: CLIENT_SECRET,
    method: 'POST',
    uri: URI,
    rawBody: Buffer.from(BODY, 'utf8'),
    signature,
    timestamp,
    nowMs: NOW_MS,
    ...overrides,
  });
}

describe('v3 signature verification', () => {
  it('accepts a request signed with the client secret over the exact bytes received', () => {
    expect(verify()).toEqual({ valid: true });
  });

  it('accepts the body as a string or as a Buffer alike', () => {
    expect(verify({ rawBody: BODY })).toEqual({ valid: true });
  });

  it('rejects a body changed after signing', () => {
    expect(verify({ rawBody: Buffer.from(BODY.replace('deal', 'dial'), 'utf8') })).toEqual({
      valid: false,
      reason: 'bad-signature',
    });
  });

  it('rejects a request signed with another secret', () => {
    const { signature, timestamp } = signed({ clientSecret: 'someone-elses-secret' });
    expect(verify({ signature, timestamp })).toEqual({ valid: false, reason: 'bad-signature' });
  });

  it('rejects a signature made for another method or uri', () => {
    expect(verify({ method: 'PUT' })).toEqual({ valid: false, reason: 'bad-signature' });
    expect(verify({ uri: 'https://evil.example.com/webhooks/hubspot' })).toEqual({
      valid: false,
      reason: 'bad-signature',
    });
  });

  it('rejects a valid signature with a different timestamp header than the one signed', () => {
    expect(verify({ timestamp: String(NOW_MS + 1) })).toEqual({ valid: false, reason: 'bad-signature' });
  });

  it('rejects signatures of another length or encoding without throwing', () => {
    expect(verify({ signature: 'short' })).toEqual({ valid: false, reason: 'bad-signature' });
    const { signature } = signed();
    expect(verify({ signature: Buffer.from(signature, 'base64').toString('hex') })).toEqual({
      valid: false,
      reason: 'bad-signature',
    });
  });

  it('reports missing or unreadable headers as such', () => {
    expect(verify({ signature: undefined })).toEqual({ valid: false, reason: 'missing-headers' });
    expect(verify({ signature: '' })).toEqual({ valid: false, reason: 'missing-headers' });
    expect(verify({ timestamp: undefined })).toEqual({ valid: false, reason: 'missing-headers' });
    expect(verify({ timestamp: 'yesterday' })).toEqual({ valid: false, reason: 'missing-headers' });
  });

  it('rejects a timestamp older than five minutes even with a valid signature', () => {
    const old = signed({ timestampMs: NOW_MS - SIGNATURE_MAX_AGE_MS - 1 });
    expect(verify(old)).toEqual({ valid: false, reason: 'stale-timestamp' });
  });

  it('accepts a timestamp exactly five minutes old', () => {
    const edge = signed({ timestampMs: NOW_MS - SIGNATURE_MAX_AGE_MS });
    expect(verify(edge)).toEqual({ valid: true });
  });

  it('rejects a timestamp more than five minutes in the future', () => {
    const future = signed({ timestampMs: NOW_MS + SIGNATURE_MAX_AGE_MS + 1 });
    expect(verify(future)).toEqual({ valid: false, reason: 'stale-timestamp' });
  });

  it('honours a custom window', () => {
    const old = signed({ timestampMs: NOW_MS - 61_000 });
    expect(verify({ ...old, maxAgeMs: 60_000 })).toEqual({ valid: false, reason: 'stale-timestamp' });
  });

  it('signs an empty body as the empty string', () => {
    const get = signed({ method: 'GET', body: '' });
    expect(verify({ ...get, method: 'GET', rawBody: Buffer.alloc(0) })).toEqual({ valid: true });
  });
});

describe('the signed uri', () => {
  it('decodes exactly the escapes HubSpot decodes before signing', () => {
    expect(decodeSignedUriEscapes('%3A%2F%3F%40%21%24%27%28%29%2A%2C%3B')).toBe(":/?@!$'()*,;");
  });

  it('leaves every other escape encoded, %25 and %20 included, in one pass', () => {
    expect(decodeSignedUriEscapes('/a%20b%253A%2Bc%26d%3De')).toBe('/a%20b%253A%2Bc%26d%3De');
  });

  it('treats lower-case hex digits as the same escape', () => {
    expect(decodeSignedUriEscapes('%3a%2f%40')).toBe(':/@');
  });

  it('joins the public origin and the path and query as received, decoding the listed escapes', () => {
    expect(
      uriForRequest('https://sop.example.com/', '/api/v1/deals/1/guidance?userEmail=rep%40example.com'),
    ).toBe('https://sop.example.com/api/v1/deals/1/guidance?userEmail=rep@example.com');
  });

  it('verifies a request whose query HubSpot signed decoded but sent encoded', () => {
    const sentUri =
      'https://sop.example.com/api/v1/deals/1/guidance?userEmail=rep%40example.com&note=a%3Ab%20c';
    const hubspotSignedUri =
      'https://sop.example.com/api/v1/deals/1/guidance?userEmail=rep@example.com&note=a:b%20c';
    const { signature, timestamp } = signed({ method: 'GET', uri: hubspotSignedUri, body: '' });
    expect(
      verify({
        method: 'GET',
        uri: uriForRequest('https://sop.example.com', sentUri.slice('https://sop.example.com'.length)),
        rawBody: '',
        signature,
        timestamp,
      }),
    ).toEqual({ valid: true });
  });
});

describe('agreement with @hubspot/api-client', () => {
  const cases = [
    { method: 'POST', uri: URI, body: BODY },
    {
      method: 'GET',
      uri: 'https://sop.example.com/api/v1/deals/9/guidance?portalId=62515&userId=101',
      body: '',
    },
    {
      method: 'POST',
      uri: 'https://sop.example.com/api/v1/deals/9/actions/discovery-call?userEmail=rep%40example.com',
      body: '{"done":true}',
    },
  ];

  it.each(cases)('produces the signature HubSpot would for $method $uri', ({ method, uri, body }) => {
    const ours = signRequestV3({ clientSecret: CLIENT_SECRET, method, uri, body, timestampMs: NOW_MS });
    const theirs = Signature.getSignature(method, 'v3', {
      clientSecret: CLIENT_SECRET,
      requestBody: body,
      // The reference signs the uri it is given, so hand it the decoded form HubSpot signs.
      url: decodeSignedUriEscapes(uri),
      timestamp: NOW_MS,
      signature: '',
    });
    expect(ours.signature).toBe(theirs);
  });

  it.each(cases)('accepts what the reference accepts, and the other way round, for $method $uri', (c) => {
    // The reference reads the real clock, so sign with it here.
    const now = Date.now();
    const { signature, timestamp } = signRequestV3({
      clientSecret: CLIENT_SECRET,
      method: c.method,
      uri: c.uri,
      body: c.body,
      timestampMs: now,
    });
    const reference = (sig: string) =>
      Signature.isValid({
        signatureVersion: 'v3',
        method: c.method,
        clientSecret: CLIENT_SECRET,
        requestBody: c.body,
        url: decodeSignedUriEscapes(c.uri),
        timestamp: Number(timestamp),
        signature: sig,
      });
    const ours = (sig: string) =>
      verifySignatureV3({
        clientSecret: CLIENT_SECRET,
        method: c.method,
        uri: c.uri,
        rawBody: c.body,
        signature: sig,
        timestamp,
        nowMs: now,
      }).valid;

    expect(reference(signature)).toBe(true);
    expect(ours(signature)).toBe(true);
    const tampered = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
    expect(reference(tampered)).toBe(false);
    expect(ours(tampered)).toBe(false);
  });

  it('reports a stale timestamp as a result where the reference throws', () => {
    const staleMs = Date.now() - SIGNATURE_MAX_AGE_MS - 60_000;
    const { signature, timestamp } = signed({ timestampMs: staleMs });
    expect(() =>
      Signature.isValid({
        signatureVersion: 'v3',
        method: 'POST',
        clientSecret: CLIENT_SECRET,
        requestBody: BODY,
        url: URI,
        timestamp: staleMs,
        signature,
      }),
    ).toThrow();
    expect(verify({ signature, timestamp, nowMs: Date.now() })).toEqual({
      valid: false,
      reason: 'stale-timestamp',
    });
  });
});

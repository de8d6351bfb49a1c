import { computeSignatureV2, verifySignatureV2 } from '../../webhooks/signature-v2';

describe('v2 request signatures (custom workflow actions)', () => {
  // HubSpot's own example (DESIGN.md §4).
  const example = {
    clientSecret: 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy',
    method: 'GET',
    uri: 'https://www.example.com/webhook_uri',
    rawBody: '',
  };
  const EXAMPLE_SIGNATURE = 'eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e';

  it("matches HubSpot's published example", () => {
    expect(computeSignatureV2(example)).toBe(EXAMPLE_SIGNATURE);
    expect(verifySignatureV2({ ...example, signature: EXAMPLE_SIGNATURE })).toBe(true);
  });

  it('refuses a signature of another body, another secret, or none', () => {
    expect(verifySignatureV2({ ...example, rawBody: '{}', signature: EXAMPLE_SIGNATURE })).toBe(false);
    expect(verifySignatureV2({ ...example, clientSecret: 'other', signature: EXAMPLE_SIGNATURE })).toBe(
      false,
    );
    expect(verifySignatureV2({ ...example, signature: undefined })).toBe(false);
    expect(verifySignatureV2({ ...example, signature: 'not-hex' })).toBe(false);
  });
});

import { signRequestV3 } from '../../../webhooks/signature-v3';
import { parseConfig } from '../../platform/config/env.schema';
import { AppError } from '../../platform/errors/app-error';
import { stringFlag } from '../../platform/cli/cli-args';
import type { CliCommand } from '../../platform/cli/cli-command';

const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE']);

/**
 * `sop-guide request <METHOD> <path> [--body <json>]`: sends one request to the service signed as
 * HubSpot signs it (v3, HUBSPOT_CLIENT_SECRET over PUBLIC_BASE_URL + path), to try the card API or send
 * a webhook by hand, against the demo (which prints these commands) or a development instance.
 */
export const signedRequestCommand: CliCommand = {
  name: 'request',
  usage: 'sop-guide request <METHOD> <path> [--body <json>]',
  summary: 'send one request to the service, v3-signed as HubSpot would (card API, webhooks)',
  flags: { body: 'string' },
  async run(args, io) {
    const [method = '', pathAndQuery = ''] = args.positionals;
    if (!METHODS.has(method.toUpperCase()) || !pathAndQuery.startsWith('/')) {
      throw new AppError('BAD_REQUEST', `expected: ${signedRequestCommand.usage}`);
    }
    const config = parseConfig(io.env, ['HUBSPOT_CLIENT_SECRET', 'PUBLIC_BASE_URL']);
    const body = stringFlag(args, 'body') ?? '';
    const signed = signRequestV3({
      clientSecret: config.hubspotClientSecret,
      method: method.toUpperCase(),
      uri: config.publicBaseUrl + pathAndQuery,
      body,
      timestampMs: Date.now(),
    });
    const response = await fetch(config.publicBaseUrl + pathAndQuery, {
      method: method.toUpperCase(),
      headers: { ...signed.headers, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body } : {}),
    });
    io.out(`${response.status} ${await response.text()}`);
    return response.ok ? 0 : 1;
  },
};

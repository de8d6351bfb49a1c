import { errorBodySchema, guidanceResponseSchema, snoozeBodySchema } from './guidance-response.schema';
import { buildGuidance, buildStall } from './testing/guidance.builder';

describe('guidance response schema', () => {
  it('accepts the example response of the design', () => {
    const example = {
      dealId: '123',
      portalId: 62515,
      pipelineId: 'default',
      stage: { id: 'qualifiedtobuy', label: 'Qualified To Buy', enteredAt: '2026-11-20T10:00:00.000Z' },
      step: {
        id: 'qualification',
        title: 'Qualification and needs assessment',
        guidance: '...',
        playbookVersion: 3,
      },
      actions: [
        {
          id: 'discovery-call',
          title: 'Hold a discovery call',
          required: true,
          done: true,
          doneBy: { userId: '101', email: 'rep@example.com' },
          doneAt: '2026-11-21T09:30:00.000Z',
        },
      ],
      checks: [{ id: 'amount-set', title: 'Amount is set', passed: false, detail: 'Amount is empty' }],
      progress: { done: 1, total: 4 },
      readyToAdvance: false,
      blockers: ['Amount is empty'],
      stall: { stalled: true, daysInStage: 12, thresholdDays: 10 },
    };

    expect(guidanceResponseSchema.safeParse(example).success).toBe(true);
  });

  it('accepts the nulls and extra stall fields the server sends for a deal on schedule', () => {
    const fromServer = {
      ...buildGuidance(),
      stall: {
        ...buildStall(),
        reason: null,
        pausedUntil: null,
        snoozedUntil: null,
        noActivityDays: null,
        stalledSince: null,
      },
    };

    expect(guidanceResponseSchema.safeParse(fromServer).success).toBe(true);
  });

  it('refuses an SOP link that is not http(s), since the card renders it as a link', () => {
    const guidance = buildGuidance();
    const unsafe = { ...guidance, step: { ...guidance.step!, sopUrl: 'javascript:alert(1)' } };

    const result = guidanceResponseSchema.safeParse(unsafe);

    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['step', 'sopUrl']);
  });

  it('refuses progress with more done than there is to do', () => {
    const result = guidanceResponseSchema.safeParse(buildGuidance({ progress: { done: 3, total: 2 } }));

    expect(result.success).toBe(false);
  });

  it('refuses a snooze without a reason', () => {
    const result = snoozeBodySchema.safeParse({ until: '2026-12-08T12:00:00.000Z', reason: '   ' });

    expect(result.error?.issues[0]?.message).toBe('A reason is required to snooze');
  });

  it('reads the error body every backend error carries', () => {
    const body = { error: { code: 'NOT_FOUND', message: 'Deal 123 is unknown', details: { dealId: '123' } } };

    expect(errorBodySchema.parse(body).error.message).toBe('Deal 123 is unknown');
  });
});

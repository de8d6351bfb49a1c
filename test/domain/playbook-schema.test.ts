import { parsePlaybook } from '../../src/domain/playbook.schema';
import type { ParsePlaybookResult } from '../../src/domain/playbook.schema';
import { buildPlaybookDocument } from './builders';

function listErrors(result: ParsePlaybookResult): string[] {
  return result.ok ? [] : result.errors.map((error) => `${error.path}: ${error.message}`);
}

function withQualificationStep(step: Record<string, unknown>): Record<string, unknown> {
  const document = buildPlaybookDocument();
  const [prospecting, qualification] = document.steps as Record<string, unknown>[];
  return { ...document, steps: [prospecting, { ...qualification, ...step }] };
}

function withRule(rule: unknown): Record<string, unknown> {
  return withQualificationStep({ checks: [{ id: 'the-check', title: 'The check', rule }] });
}

describe('parsePlaybook', () => {
  it('accepts the playbook document of the design and fills in the defaults', () => {
    const result = parsePlaybook(buildPlaybookDocument());

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.playbook.steps[0]).toEqual({
      id: 'prospecting',
      title: 'Prospecting',
      guidance: 'Find the right people.',
      actions: [],
      checks: [],
    });
    expect(result.playbook.steps[1]?.actions[0]?.required).toBe(true);
  });

  it('accepts an action marked optional and keeps its description', () => {
    const result = parsePlaybook(
      withQualificationStep({
        actions: [{ id: 'send-deck', title: 'Send the deck', required: false, description: 'If they ask.' }],
      }),
    );

    expect(result.ok && result.playbook.steps[1]?.actions).toEqual([
      { id: 'send-deck', title: 'Send the deck', required: false, description: 'If they ask.' },
    ]);
  });

  it('accepts the optional manager fields: SOP link, thresholds, calendar and reminders', () => {
    const result = parsePlaybook({
      ...withQualificationStep({
        sopUrl: 'https://wiki.example.com/sop/qualification',
        noActivityStallDays: 7,
        escalateAfterBusinessDays: 3,
      }),
      calendar: { timeZone: 'Europe/Paris', holidays: ['2026-12-25'] },
      reminders: { escalateAfterBusinessDays: 5, managerOwnerId: '9001', teamManagers: { '42': '9002' } },
    });

    expect(listErrors(result)).toEqual([]);
    expect(result.ok && result.playbook.reminders).toEqual({
      escalateAfterBusinessDays: 5,
      managerOwnerId: '9001',
      teamManagers: { '42': '9002' },
    });
  });

  it('reads owner ids that YAML turned into numbers as HubSpot owner id strings', () => {
    const result = parsePlaybook({ ...buildPlaybookDocument(), reminders: { managerOwnerId: 9001 } });

    expect(result.ok && result.playbook.reminders?.managerOwnerId).toBe('9001');
  });

  it('ignores a version in the document because the server assigns versions', () => {
    const result = parsePlaybook({ ...buildPlaybookDocument(), version: 7 });

    expect(result.ok).toBe(true);
    expect(result.ok && 'version' in result.playbook).toBe(false);
  });

  it('maps a stage to no step with null', () => {
    const result = parsePlaybook(
      buildPlaybookDocument({ pipelines: { default: { stages: { closedlost: null } } } }),
    );

    expect(result.ok && result.playbook.pipelines.default?.stages.closedlost).toBeNull();
  });

  it('names a missing field by its dotted path', () => {
    const result = parsePlaybook(
      withQualificationStep({ actions: [{ id: 'discovery-call', title: 'Call' }, { title: 'No id' }] }),
    );

    expect(listErrors(result)).toEqual(['steps.1.actions.1.id: required']);
  });

  it('rejects a threshold that is not a positive integer', () => {
    expect(listErrors(parsePlaybook(withQualificationStep({ stallAfterBusinessDays: 0 })))).toEqual([
      'steps.1.stallAfterBusinessDays: expected a positive integer',
    ]);
    expect(listErrors(parsePlaybook(withQualificationStep({ noActivityStallDays: 2.5 })))).toEqual([
      'steps.1.noActivityStallDays: expected a positive integer',
    ]);
    expect(listErrors(parsePlaybook(withQualificationStep({ escalateAfterBusinessDays: '3' })))).toEqual([
      'steps.1.escalateAfterBusinessDays: expected a positive integer',
    ]);
  });

  it('catches a typo in a field name instead of ignoring it', () => {
    const result = parsePlaybook(withQualificationStep({ stallAfterBusinesDays: 10 }));

    expect(listErrors(result)).toEqual(['steps.1.stallAfterBusinesDays: unknown field']);
  });

  it('catches unknown fields at the top level, in pipelines and in rules', () => {
    const result = parsePlaybook({
      ...buildPlaybookDocument({ pipelines: { default: { stages: {}, label: 'Sales' } } }),
      owner: 'me',
    });

    expect(listErrors(result)).toEqual(['pipelines.default.label: unknown field', 'owner: unknown field']);
    expect(listErrors(parsePlaybook(withRule({ associated: 'contacts', min: 1, max: 3 })))).toEqual([
      'steps.1.checks.0.rule.max: unknown field',
    ]);
  });

  it('rejects ids that are not slugs', () => {
    const result = parsePlaybook(
      withQualificationStep({ actions: [{ id: 'Discovery Call', title: 'Call' }] }),
    );

    expect(listErrors(result)).toEqual([
      'steps.1.actions.0.id: expected a slug: lowercase letters, digits and single dashes',
    ]);
  });

  it('rejects an empty title and a document that is not an object', () => {
    expect(listErrors(parsePlaybook(withQualificationStep({ title: '  ' })))).toEqual([
      'steps.1.title: must not be empty',
    ]);
    expect(listErrors(parsePlaybook('name: x'))).toEqual([': expected an object']);
  });

  it('rejects a link to the SOP that is not an http(s) URL', () => {
    expect(listErrors(parsePlaybook(withQualificationStep({ sopUrl: 'javascript:alert(1)' })))).toEqual([
      'steps.1.sopUrl: expected an http(s) URL',
    ]);
  });

  it('rejects holidays that are not real dates and time zones that do not exist', () => {
    const result = parsePlaybook({
      ...buildPlaybookDocument(),
      calendar: { timeZone: 'Mars/Olympus_Mons', holidays: ['2026-12-25', '2026-02-30', '25/12/2026'] },
    });

    expect(listErrors(result)).toEqual([
      'calendar.timeZone: expected an IANA time zone such as America/New_York',
      'calendar.holidays.1: expected a date as YYYY-MM-DD',
      'calendar.holidays.2: expected a date as YYYY-MM-DD',
    ]);
  });

  it('rejects a reminder manager that is not a HubSpot owner id', () => {
    const result = parsePlaybook({
      ...buildPlaybookDocument(),
      reminders: { teamManagers: { '42': 'boss' } },
    });

    expect(listErrors(result)).toEqual(['reminders.teamManagers.42: expected a HubSpot owner id (digits)']);
  });

  describe('semantic errors', () => {
    it('names a stage mapped to an unknown step', () => {
      const result = parsePlaybook(
        buildPlaybookDocument({ pipelines: { default: { stages: { qualifiedtobuy: 'x' } } } }),
      );

      expect(listErrors(result)).toEqual(['pipelines.default.stages.qualifiedtobuy: unknown step "x"']);
    });

    it('names a duplicate step id', () => {
      const document = buildPlaybookDocument();
      const steps = document.steps as unknown[];
      const result = parsePlaybook({ ...document, steps: [...steps, steps[0]] });

      expect(listErrors(result)).toEqual(['steps.2.id: duplicate step id "prospecting"']);
    });

    it('names duplicate action and check ids within a step', () => {
      const result = parsePlaybook(
        withQualificationStep({
          actions: [
            { id: 'call', title: 'Call' },
            { id: 'call', title: 'Call again' },
          ],
          checks: [
            { id: 'amount', title: 'Amount', rule: { property: 'amount', present: true } },
            { id: 'amount', title: 'Amount again', rule: { property: 'amount', gt: 0 } },
          ],
        }),
      );

      expect(listErrors(result)).toEqual([
        'steps.1.actions.1.id: duplicate action id "call"',
        'steps.1.checks.1.id: duplicate check id "amount"',
      ]);
    });

    it('lets two steps use the same action id', () => {
      const document = buildPlaybookDocument();
      const [prospecting, qualification] = document.steps as Record<string, unknown>[];
      const result = parsePlaybook({
        ...document,
        steps: [{ ...prospecting, actions: [{ id: 'discovery-call', title: 'Call' }] }, qualification],
      });

      expect(result.ok).toBe(true);
    });

    it('names an actionDone rule that points at an action the step does not have', () => {
      const result = parsePlaybook(withRule({ actionDone: 'send-proposal' }));

      expect(listErrors(result)).toEqual([
        'steps.1.checks.0.rule.actionDone: unknown action "send-proposal" in step "qualification"',
      ]);
    });
  });

  describe('check rules', () => {
    it.each([
      ['present', { property: 'amount', present: true }],
      ['absent', { property: 'closed_lost_reason', present: false }],
      ['equals a string', { property: 'dealtype', equals: 'newbusiness' }],
      ['equals a number', { property: 'amount', equals: 1000 }],
      ['equals a boolean', { property: 'is_renewal', equals: true }],
      ['one of', { property: 'hs_priority', oneOf: ['high', 'medium', 3] }],
      ['one bound', { property: 'amount', gt: 0 }],
      ['several bounds', { property: 'hs_deal_stage_probability', gte: 0.2, lte: 0.8 }],
      ['date in future', { property: 'closedate', dateInFuture: true }],
      ['within days', { property: 'closedate', withinDays: 30 }],
      ['associated', { associated: 'line_items', min: 1 }],
      ['last activity', { lastActivityWithinDays: 7 }],
      ['action done', { actionDone: 'discovery-call' }],
    ])('accepts the %s rule form', (_form, rule) => {
      expect(listErrors(parsePlaybook(withRule(rule)))).toEqual([]);
    });

    it.each([
      [
        { property: 'amount' },
        'steps.1.checks.0.rule: expected an operator next to property: present, equals, oneOf, gt/gte/lt/lte, dateInFuture, withinDays',
      ],
      [
        { property: 'amount', present: true, gt: 0 },
        'steps.1.checks.0.rule: a rule takes one operator, found present and gt/gte/lt/lte',
      ],
      [
        { min: 1 },
        'steps.1.checks.0.rule: expected a rule: {property, <operator>}, {associated, min}, {lastActivityWithinDays} or {actionDone}',
      ],
      ['amount', 'steps.1.checks.0.rule: expected a rule object'],
      [{ property: 'amount', present: 'yes' }, 'steps.1.checks.0.rule.present: expected true or false'],
      [
        { property: 'Deal Amount', present: true },
        'steps.1.checks.0.rule.property: expected a HubSpot property internal name: lowercase letters, digits and underscores',
      ],
      [{ property: 'hs_priority', oneOf: [] }, 'steps.1.checks.0.rule.oneOf: must list at least one value'],
      [{ property: 'amount', gt: '1000' }, 'steps.1.checks.0.rule.gt: expected a number'],
      [{ property: 'closedate', dateInFuture: false }, 'steps.1.checks.0.rule.dateInFuture: expected true'],
      [
        { property: 'closedate', withinDays: -3 },
        'steps.1.checks.0.rule.withinDays: expected a positive integer',
      ],
      [{ associated: 'contacts' }, 'steps.1.checks.0.rule.min: required'],
      [{ associated: 'contacts', min: 0 }, 'steps.1.checks.0.rule.min: expected a positive integer'],
      [
        { lastActivityWithinDays: 0 },
        'steps.1.checks.0.rule.lastActivityWithinDays: expected a positive integer',
      ],
    ])('rejects the malformed rule %j with its path', (rule, error) => {
      expect(listErrors(parsePlaybook(withRule(rule)))).toEqual([error]);
    });
  });
});

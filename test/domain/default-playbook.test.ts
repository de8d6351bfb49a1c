import { DEFAULT_PLAYBOOK } from '../../src/domain/default-playbook';
import { parsePlaybook } from '../../src/domain/playbook.schema';
import { resolveStepForStage } from '../../src/domain/stage-step.util';

describe('DEFAULT_PLAYBOOK', () => {
  it('is a valid playbook document that survives a JSON round trip', () => {
    const result = parsePlaybook(JSON.parse(JSON.stringify(DEFAULT_PLAYBOOK)));

    expect(result.ok ? [] : result.errors).toEqual([]);
    expect(result.ok && result.playbook).toEqual(DEFAULT_PLAYBOOK);
  });

  it.each([
    ['appointmentscheduled', 'prospecting', 'Prospecting and lead generation'],
    ['qualifiedtobuy', 'qualification', 'Qualification and needs assessment'],
    ['presentationscheduled', 'presentation', 'Sales presentation and product demonstration'],
    ['decisionmakerboughtin', 'negotiation', 'Negotiation and closing'],
    ['contractsent', 'negotiation', 'Negotiation and closing'],
    ['closedwon', 'follow-up', 'Customer service and follow-up'],
  ])("maps HubSpot's default stage %s to the %s step", (stageId, stepId, title) => {
    const { step } = resolveStepForStage(DEFAULT_PLAYBOOK, 'default', stageId);

    expect(step).toMatchObject({ id: stepId, title });
  });

  it('maps closed lost to no step', () => {
    expect(resolveStepForStage(DEFAULT_PLAYBOOK, 'default', 'closedlost')).toEqual({
      step: null,
      reason: 'Stage "closedlost" follows no SOP step',
    });
  });

  it('gives every step concrete guidance, a stall threshold, 3-5 actions and 2-4 checks', () => {
    expect(DEFAULT_PLAYBOOK.steps.map((step) => step.id)).toEqual([
      'prospecting',
      'qualification',
      'presentation',
      'negotiation',
      'follow-up',
    ]);
    for (const step of DEFAULT_PLAYBOOK.steps) {
      expect(step.guidance.length).toBeGreaterThan(100);
      expect(step.stallAfterBusinessDays).toBeGreaterThan(0);
      expect(step.actions.length).toBeGreaterThanOrEqual(3);
      expect(step.actions.length).toBeLessThanOrEqual(5);
      expect(step.checks.length).toBeGreaterThanOrEqual(2);
      expect(step.checks.length).toBeLessThanOrEqual(4);
    }
  });
});

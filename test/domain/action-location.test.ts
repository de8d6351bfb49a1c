import { locateActionForDeal } from '../../src/domain/action-location.util';
import { buildAction, buildPlaybook, buildStep } from './builders';

const playbook = buildPlaybook({
  pipelines: {
    default: {
      stages: { appointmentscheduled: 'prospecting', qualifiedtobuy: 'qualification', closedlost: null },
    },
  },
  steps: [
    buildStep({ id: 'prospecting', actions: [buildAction({ id: 'research-account' })] }),
    buildStep({ id: 'qualification', actions: [buildAction({ id: 'discovery-call' })] }),
  ],
});

describe('locateActionForDeal', () => {
  it('finds an action of the step the deal is in', () => {
    expect(
      locateActionForDeal(playbook, { pipelineId: 'default', stageId: 'qualifiedtobuy' }, 'discovery-call'),
    ).toEqual({ kind: 'current-step', stepId: 'qualification' });
  });

  it('tells an action of another step apart from an unknown one', () => {
    const deal = { pipelineId: 'default', stageId: 'qualifiedtobuy' };
    expect(locateActionForDeal(playbook, deal, 'research-account')).toEqual({
      kind: 'other-step',
      stepIds: ['prospecting'],
      currentStepId: 'qualification',
    });
    expect(locateActionForDeal(playbook, deal, 'no-such-action')).toEqual({ kind: 'unknown' });
  });

  it('treats every action as out of step for a stage that follows no step', () => {
    expect(
      locateActionForDeal(playbook, { pipelineId: 'default', stageId: 'closedlost' }, 'discovery-call'),
    ).toEqual({ kind: 'other-step', stepIds: ['qualification'], currentStepId: null });
  });
});

import { resolveStepForStage } from '../../src/domain/stage-step.util';
import { buildPlaybook, buildStep } from './builders';

describe('resolveStepForStage', () => {
  const playbook = buildPlaybook({
    pipelines: { default: { stages: { qualifiedtobuy: 'qualification', closedlost: null } } },
    steps: [buildStep({ id: 'qualification', title: 'Qualification and needs assessment' })],
  });

  it('finds the step a stage is mapped to', () => {
    const resolution = resolveStepForStage(playbook, 'default', 'qualifiedtobuy');

    expect(resolution.reason).toBeNull();
    expect(resolution.step?.title).toBe('Qualification and needs assessment');
  });

  it('explains that a stage mapped to null follows no step', () => {
    expect(resolveStepForStage(playbook, 'default', 'closedlost')).toEqual({
      step: null,
      reason: 'Stage "closedlost" follows no SOP step',
    });
  });

  it('explains that a pipeline nobody mapped has no SOP yet', () => {
    expect(resolveStepForStage(playbook, 'renewals', 'qualifiedtobuy')).toEqual({
      step: null,
      reason: 'This pipeline has no SOP mapping yet',
    });
  });

  it('explains that a stage missing from a mapped pipeline is not mapped yet', () => {
    expect(resolveStepForStage(playbook, 'default', 'contractsent')).toEqual({
      step: null,
      reason: 'Stage "contractsent" is not mapped to an SOP step yet',
    });
  });

  it('does not trust a mapping to a step that does not exist', () => {
    const broken = buildPlaybook({ pipelines: { default: { stages: { qualifiedtobuy: 'gone' } } } });

    expect(resolveStepForStage(broken, 'default', 'qualifiedtobuy')).toEqual({
      step: null,
      reason: 'Stage "qualifiedtobuy" maps to the unknown SOP step "gone"',
    });
  });
});

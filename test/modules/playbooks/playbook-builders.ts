import { DEFAULT_PLAYBOOK, type Playbook, type PlaybookInput } from '../../../src/domain';

/** A deep copy of the default playbook, to change one thing and publish. */
export function copyDefaultPlaybook(): Playbook {
  return structuredClone(DEFAULT_PLAYBOOK);
}

/** The default playbook with the qualification step retitled: an easy-to-spot change between versions. */
export function withQualificationTitle(title: string) {
  const playbook = copyDefaultPlaybook();
  const step = playbook.steps.find((candidate) => candidate.id === 'qualification');
  if (!step) throw new Error('the default playbook lost its qualification step');
  step.title = title;
  return playbook;
}

/**
 * A small playbook whose outcome on the sample portal is easy to work out by hand: amounts, one
 * required action in qualification, short stall thresholds, and presentation mapped to no step.
 */
export function buildPreviewCandidate(): PlaybookInput {
  return {
    name: 'Preview candidate',
    pipelines: {
      default: {
        stages: {
          appointmentscheduled: 'open',
          qualifiedtobuy: 'qualify',
          presentationscheduled: null,
          decisionmakerboughtin: 'close',
          contractsent: 'close',
          closedwon: null,
          closedlost: null,
        },
      },
    },
    steps: [
      {
        id: 'open',
        title: 'Open',
        guidance: 'Get an amount on the deal.',
        stallAfterBusinessDays: 10,
        checks: [{ id: 'amount-set', title: 'Amount is set', rule: { property: 'amount', present: true } }],
      },
      {
        id: 'qualify',
        title: 'Qualify',
        guidance: 'Hold the discovery call.',
        stallAfterBusinessDays: 10,
        actions: [{ id: 'discovery-call', title: 'Hold a discovery call' }],
        checks: [{ id: 'amount-set', title: 'Amount is set', rule: { property: 'amount', present: true } }],
      },
      { id: 'close', title: 'Close', guidance: 'Get the signature.', stallAfterBusinessDays: 5 },
    ],
  };
}

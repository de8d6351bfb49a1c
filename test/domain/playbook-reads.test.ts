import { DEFAULT_PLAYBOOK } from '../../src/domain/default-playbook';
import {
  listAssociationTypesReadByPlaybook,
  listPropertiesReadByPlaybook,
} from '../../src/domain/playbook-reads.util';
import { buildCheck, buildPlaybook, buildStep } from './builders';

describe('what a playbook reads', () => {
  const playbook = buildPlaybook({
    steps: [
      buildStep({
        id: 'qualification',
        checks: [
          buildCheck({ property: 'closedate', dateInFuture: true }, { id: 'a' }),
          buildCheck({ property: 'amount', gt: 0 }, { id: 'b' }),
          buildCheck({ associated: 'contacts', min: 1 }, { id: 'c' }),
          buildCheck({ lastActivityWithinDays: 7 }, { id: 'd' }),
        ],
      }),
      buildStep({
        id: 'negotiation',
        checks: [
          buildCheck({ property: 'amount', present: true }, { id: 'a' }),
          buildCheck({ associated: 'companies', min: 1 }, { id: 'b' }),
          buildCheck({ associated: 'contacts', min: 2 }, { id: 'c' }),
          buildCheck({ actionDone: 'discovery-call' }, { id: 'd' }),
        ],
      }),
    ],
  });

  it('lists each deal property its checks read once, sorted', () => {
    expect(listPropertiesReadByPlaybook(playbook)).toEqual(['amount', 'closedate']);
  });

  it('lists each association type its checks count once, sorted', () => {
    expect(listAssociationTypesReadByPlaybook(playbook)).toEqual(['companies', 'contacts']);
  });

  it('a playbook without checks reads nothing', () => {
    const empty = buildPlaybook({ steps: [buildStep()] });

    expect(listPropertiesReadByPlaybook(empty)).toEqual([]);
    expect(listAssociationTypesReadByPlaybook(empty)).toEqual([]);
  });

  it('the default playbook reads standard HubSpot deal properties and contacts and companies', () => {
    expect(listPropertiesReadByPlaybook(DEFAULT_PLAYBOOK)).toEqual([
      'amount',
      'closedate',
      'dealtype',
      'description',
      'hs_next_step',
      'hs_priority',
      'hubspot_owner_id',
    ]);
    expect(listAssociationTypesReadByPlaybook(DEFAULT_PLAYBOOK)).toEqual(['companies', 'contacts']);
  });
});

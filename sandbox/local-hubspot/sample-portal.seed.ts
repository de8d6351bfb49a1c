import type { FakePipelineStage, LocalHubSpotState } from './local-hubspot.state';

/**
 * A portal that looks like a fresh HubSpot sales account: HubSpot's default deal pipeline, three owners
 * on two teams, their users (one super admin), and six deals spread over the stages with the
 * properties the SOP checks read. Used by tests and by `npm run demo`.
 */

/** HubSpot's default deal pipeline, with its real stage ids, labels and win probabilities. */
export const DEFAULT_DEAL_PIPELINE_STAGES: readonly FakePipelineStage[] = [
  {
    id: 'appointmentscheduled',
    label: 'Appointment Scheduled',
    displayOrder: 0,
    probability: 0.2,
    isClosed: false,
  },
  { id: 'qualifiedtobuy', label: 'Qualified To Buy', displayOrder: 1, probability: 0.4, isClosed: false },
  {
    id: 'presentationscheduled',
    label: 'Presentation Scheduled',
    displayOrder: 2,
    probability: 0.6,
    isClosed: false,
  },
  {
    id: 'decisionmakerboughtin',
    label: 'Decision Maker Bought-In',
    displayOrder: 3,
    probability: 0.8,
    isClosed: false,
  },
  { id: 'contractsent', label: 'Contract Sent', displayOrder: 4, probability: 0.9, isClosed: false },
  { id: 'closedwon', label: 'Closed Won', displayOrder: 5, probability: 1, isClosed: true },
  { id: 'closedlost', label: 'Closed Lost', displayOrder: 6, probability: 0, isClosed: true },
];

export interface SamplePortalOptions {
  portalId: number;
  token: string;
  timeZone?: string;
  /** The moment "now" is for the sample: deals entered their stages some days before it. */
  now?: Date;
}

export interface SampleOwner {
  ownerId: string;
  userId: string;
  email: string;
  superAdmin: boolean;
}

export interface SamplePortal {
  portalId: number;
  owners: { rep: SampleOwner; secondRep: SampleOwner; manager: SampleOwner };
  /** Deal ids by a readable key, e.g. deals.stalledQualified. */
  deals: Record<SampleDealKey, string>;
}

export type SampleDealKey =
  'freshAppointment' | 'stalledQualified' | 'readyQualified' | 'presentation' | 'contractSent' | 'closedWon';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Adds the default pipeline only (for tests that build their own deals). */
export function addDefaultDealPipeline(state: LocalHubSpotState, portalId: number): void {
  state.addPipeline(portalId, {
    id: 'default',
    label: 'Sales Pipeline',
    displayOrder: 0,
    stages: DEFAULT_DEAL_PIPELINE_STAGES.map((stage) => ({ ...stage })),
  });
}

export function seedSamplePortal(state: LocalHubSpotState, options: SamplePortalOptions): SamplePortal {
  const { portalId } = options;
  const now = options.now ?? new Date();
  state.addPortal({ portalId, token: options.token, timeZone: options.timeZone ?? 'America/New_York' });
  addDefaultDealPipeline(state, portalId);

  // Owner ids and user ids are different numbers in HubSpot; ids derive from the portal so that two
  // sample portals never share one.
  const base = portalId * 10;
  const makeOwner = (
    index: number,
    first: string,
    last: string,
    team: { id: string; name: string },
    superAdmin: boolean,
  ) => {
    const owner: SampleOwner = {
      ownerId: String(base + 100_000_000 + index),
      userId: String(base + 200_000_000 + index),
      email: `${first.toLowerCase()}.${last.toLowerCase()}@example.com`,
      superAdmin,
    };
    state.addOwner(portalId, {
      id: owner.ownerId,
      email: owner.email,
      firstName: first,
      lastName: last,
      userId: Number(owner.userId),
      teams: [{ ...team, primary: true }],
    });
    state.addUser(portalId, {
      id: owner.userId,
      email: owner.email,
      firstName: first,
      lastName: last,
      roleIds: superAdmin ? [] : [String(base + 300_000_001)],
      primaryTeamId: team.id,
      superAdmin,
    });
    return owner;
  };
  const east = { id: String(base + 400_000_001), name: 'Sales East' };
  const west = { id: String(base + 400_000_002), name: 'Sales West' };
  const rep = makeOwner(1, 'Riley', 'Rep', east, false);
  const secondRep = makeOwner(2, 'Sam', 'Seller', west, false);
  const manager = makeOwner(3, 'Morgan', 'Manager', east, true);

  const daysAgo = (days: number) => new Date(now.getTime() - days * DAY_MS);
  const deal = (
    name: string,
    owner: SampleOwner,
    stages: Array<[string, number]>,
    properties: Record<string, string | null>,
    associations: { contacts?: number; companies?: number } = {},
  ): string => {
    const [first, ...later] = stages;
    if (!first) throw new Error('A sample deal needs a stage');
    const created = state.upsertDeal(
      portalId,
      {
        properties: {
          dealname: name,
          pipeline: 'default',
          dealstage: first[0],
          hubspot_owner_id: owner.ownerId,
          ...properties,
        },
        createdAt: daysAgo(first[1]),
      },
      daysAgo(first[1]),
    );
    for (const [stageId, enteredDaysAgo] of later)
      state.moveDealToStage(portalId, created.id, stageId, daysAgo(enteredDaysAgo));
    const contactIds = Array.from({ length: associations.contacts ?? 0 }, () => state.nextId());
    const companyIds = Array.from({ length: associations.companies ?? 0 }, () => state.nextId());
    state.setAssociations(portalId, { type: 'deals', id: created.id }, 'contacts', contactIds);
    state.setAssociations(portalId, { type: 'deals', id: created.id }, 'companies', companyIds);
    if (contactIds.length > 0) {
      state.upsertDeal(
        portalId,
        { id: created.id, properties: { num_associated_contacts: contactIds.length } },
        daysAgo(0),
      );
    }
    return created.id;
  };

  const deals: Record<SampleDealKey, string> = {
    freshAppointment: deal(
      'Acme Corp - Website redesign',
      rep,
      [['appointmentscheduled', 1]],
      {
        amount: '12000',
        closedate: daysAgo(-45).toISOString(),
        notes_last_updated: daysAgo(1).toISOString(),
      },
      { contacts: 1 },
    ),
    stalledQualified: deal(
      'Globex - Annual licence',
      rep,
      [
        ['appointmentscheduled', 30],
        ['qualifiedtobuy', 16],
      ],
      { amount: null, closedate: null, notes_last_updated: daysAgo(15).toISOString() },
    ),
    readyQualified: deal(
      'Initech - Support plan',
      secondRep,
      [
        ['appointmentscheduled', 12],
        ['qualifiedtobuy', 3],
      ],
      { amount: '8500', closedate: daysAgo(-30).toISOString(), notes_last_updated: daysAgo(1).toISOString() },
      { contacts: 2, companies: 1 },
    ),
    presentation: deal(
      'Umbrella - Pilot',
      secondRep,
      [
        ['appointmentscheduled', 25],
        ['qualifiedtobuy', 18],
        ['presentationscheduled', 6],
      ],
      {
        amount: '23000',
        closedate: daysAgo(-20).toISOString(),
        notes_last_updated: daysAgo(2).toISOString(),
        notes_next_activity_date: daysAgo(-2).toISOString(),
      },
      { contacts: 3, companies: 1 },
    ),
    contractSent: deal(
      'Hooli - Enterprise rollout',
      rep,
      [
        ['appointmentscheduled', 60],
        ['qualifiedtobuy', 50],
        ['presentationscheduled', 40],
        ['decisionmakerboughtin', 20],
        ['contractsent', 9],
      ],
      { amount: '98000', closedate: daysAgo(-5).toISOString(), notes_last_updated: daysAgo(9).toISOString() },
      { contacts: 4, companies: 1 },
    ),
    closedWon: deal(
      'Stark Industries - Renewal',
      secondRep,
      [
        ['appointmentscheduled', 90],
        ['qualifiedtobuy', 80],
        ['presentationscheduled', 70],
        ['decisionmakerboughtin', 60],
        ['contractsent', 50],
        ['closedwon', 40],
      ],
      {
        amount: '45000',
        closedate: daysAgo(40).toISOString(),
        notes_last_updated: daysAgo(40).toISOString(),
      },
      { contacts: 2, companies: 1 },
    ),
  };

  return { portalId, owners: { rep, secondRep, manager }, deals };
}

/**
 * The playbook shipped with the app: the five classic sales SOP areas mapped onto HubSpot's default
 * deal pipeline (DESIGN.md §1; the step ids are part of the contract). It reads only properties and
 * associations every HubSpot portal has, so it works on day one and serves as the example managers
 * copy when they write their own.
 */
import type { Playbook } from './playbook.schema';

export const DEFAULT_PLAYBOOK: Playbook = {
  name: 'Default sales SOP',
  pipelines: {
    default: {
      stages: {
        appointmentscheduled: 'prospecting',
        qualifiedtobuy: 'qualification',
        presentationscheduled: 'presentation',
        decisionmakerboughtin: 'negotiation',
        contractsent: 'negotiation',
        closedwon: 'follow-up',
        closedlost: null,
      },
    },
  },
  steps: [
    {
      id: 'prospecting',
      title: 'Prospecting and lead generation',
      guidance:
        'Check that the account fits our ideal customer profile before you invest time: right industry, right size, and a plausible reason to buy this year. ' +
        'Research the company and the person you are meeting, then book a first meeting with a clear agenda. ' +
        'Log every call and email on the deal so that whoever picks it up next knows what was said.',
      stallAfterBusinessDays: 5,
      noActivityStallDays: 7,
      actions: [
        {
          id: 'research-account',
          title: 'Research the company and the contact (website, LinkedIn, recent news)',
          required: true,
        },
        {
          id: 'confirm-icp-fit',
          title: 'Confirm the account fits our ideal customer profile',
          required: true,
        },
        {
          id: 'book-first-meeting',
          title: 'Book the first meeting and send an invite with an agenda',
          required: true,
        },
        {
          id: 'personalise-outreach',
          title: 'Personalise the outreach with one insight about their business',
          required: false,
          description: 'A sentence about their market or a recent announcement doubles reply rates.',
        },
      ],
      checks: [
        {
          id: 'contact-associated',
          title: 'A contact is associated',
          rule: { associated: 'contacts', min: 1 },
        },
        {
          id: 'company-associated',
          title: 'A company is associated',
          rule: { associated: 'companies', min: 1 },
        },
        {
          id: 'owner-assigned',
          title: 'The deal has an owner',
          rule: { property: 'hubspot_owner_id', present: true },
        },
        {
          id: 'next-step-set',
          title: 'The next step is written down',
          rule: { property: 'hs_next_step', present: true },
        },
      ],
    },
    {
      id: 'qualification',
      title: 'Qualification and needs assessment',
      guidance:
        'Confirm budget, authority, need and timeline before any demo. ' +
        "Hold a discovery call and write the customer's problem, in their own words, into the deal description. " +
        'If you cannot name the person who signs, or the buyer will not discuss budget, the deal is not qualified yet: keep it here or close it lost.',
      stallAfterBusinessDays: 10,
      noActivityStallDays: 10,
      actions: [
        { id: 'discovery-call', title: 'Hold a discovery call', required: true },
        { id: 'confirm-budget', title: 'Confirm the budget range with the buyer', required: true },
        {
          id: 'identify-decision-maker',
          title: 'Identify the decision maker and add them as a contact',
          required: true,
        },
        { id: 'agree-timeline', title: 'Agree a target decision date with the buyer', required: true },
      ],
      checks: [
        { id: 'amount-set', title: 'Amount is set', rule: { property: 'amount', gt: 0 } },
        {
          id: 'close-date-ahead',
          title: 'Close date is in the future',
          rule: { property: 'closedate', dateInFuture: true },
        },
        {
          id: 'needs-documented',
          title: "The customer's needs are in the description",
          rule: { property: 'description', present: true },
        },
        {
          id: 'deal-type-set',
          title: 'Deal type is set',
          rule: { property: 'dealtype', oneOf: ['newbusiness', 'existingbusiness'] },
        },
      ],
    },
    {
      id: 'presentation',
      title: 'Sales presentation and product demonstration',
      guidance:
        'Tailor the demo to the needs captured in qualification: show the two or three workflows that solve their stated problem, not the whole product. ' +
        'Make sure the decision maker attends, or book a second session they will attend. ' +
        'End every demo with an agreed next step and a date, and send a written recap the same day.',
      stallAfterBusinessDays: 7,
      noActivityStallDays: 7,
      actions: [
        { id: 'send-demo-agenda', title: 'Send a demo agenda built on their needs', required: true },
        { id: 'confirm-attendees', title: 'Confirm the decision maker will attend', required: true },
        { id: 'run-demo', title: 'Run the demo', required: true },
        { id: 'send-recap', title: 'Send a written recap with the agreed next step', required: true },
        { id: 'share-case-study', title: 'Share a case study from a customer like them', required: false },
      ],
      checks: [
        {
          id: 'multi-threaded',
          title: 'At least two contacts are involved',
          rule: { associated: 'contacts', min: 2 },
          description: 'Deals that hang on a single contact stall when that person goes quiet.',
        },
        {
          id: 'next-step-set',
          title: 'The next step is written down',
          rule: { property: 'hs_next_step', present: true },
        },
        {
          id: 'close-date-near',
          title: 'Close date is within 90 days',
          rule: { property: 'closedate', withinDays: 90 },
        },
        {
          id: 'priority-set',
          title: 'Priority is set',
          rule: { property: 'hs_priority', oneOf: ['high', 'medium', 'low'] },
        },
      ],
    },
    {
      id: 'negotiation',
      title: 'Negotiation and closing',
      guidance:
        'Send the proposal only once the buyer agrees on scope and the decision maker has confirmed the budget. ' +
        "Trade, never give: every discount must buy something (a longer term, a faster signature, a case study), and anything beyond 15% needs your manager's approval. " +
        'Keep the close date honest and move it the day you learn it slipped.',
      stallAfterBusinessDays: 10,
      noActivityStallDays: 7,
      escalateAfterBusinessDays: 3,
      actions: [
        { id: 'send-proposal', title: 'Send the proposal with pricing', required: true },
        {
          id: 'confirm-signatory',
          title: 'Confirm who signs and how their procurement works',
          required: true,
        },
        {
          id: 'approve-discount',
          title: 'Get manager approval for a discount over 15%',
          required: false,
          description: 'Only when the proposal discounts more than 15% off list price.',
        },
        { id: 'send-contract', title: 'Send the contract for signature', required: true },
      ],
      checks: [
        { id: 'amount-set', title: 'Amount is set', rule: { property: 'amount', gt: 0 } },
        {
          id: 'close-date-soon',
          title: 'Close date is within 30 days',
          rule: { property: 'closedate', withinDays: 30 },
        },
        {
          id: 'company-associated',
          title: 'A company is associated',
          rule: { associated: 'companies', min: 1 },
        },
        {
          id: 'recent-activity',
          title: 'The buyer was contacted in the last 7 days',
          rule: { lastActivityWithinDays: 7 },
        },
      ],
    },
    {
      id: 'follow-up',
      title: 'Customer service and follow-up',
      guidance:
        'Hand the customer over properly: introduce their onboarding contact within two business days of signature and pass on everything you learned in the sale. ' +
        'Schedule the kickoff and a 30-day check-in so that problems surface early. ' +
        'Once the customer has seen first value, ask for a referral or a review.',
      stallAfterBusinessDays: 5,
      actions: [
        { id: 'send-thank-you', title: 'Send a thank-you note to the buyer', required: true },
        {
          id: 'handoff-to-onboarding',
          title: 'Hand the account over to onboarding with your deal notes',
          required: true,
        },
        { id: 'schedule-kickoff', title: 'Schedule the kickoff call', required: true },
        { id: 'schedule-check-in', title: 'Schedule a 30-day check-in', required: true },
        { id: 'ask-referral', title: 'Ask for a referral or a review', required: false },
      ],
      checks: [
        { id: 'amount-final', title: 'The final amount is recorded', rule: { property: 'amount', gt: 0 } },
        {
          id: 'close-date-recorded',
          title: 'The close date is recorded',
          rule: { property: 'closedate', present: true },
        },
        {
          id: 'handoff-done',
          title: 'Onboarding has the account',
          rule: { actionDone: 'handoff-to-onboarding' },
        },
      ],
    },
  ],
  reminders: { escalateAfterBusinessDays: 5 },
};

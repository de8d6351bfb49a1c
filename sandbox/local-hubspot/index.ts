/** The local HubSpot for tests and the demo: one import for the server, its state and the sample data. */
export { startLocalHubSpot } from './local-hubspot.server';
export type {
  FaultSpec,
  LocalHubSpot,
  LocalHubSpotOptions,
  RecordedRequest,
  RateLimitSettings,
} from './local-hubspot.server';
export {
  LocalHubSpotState,
  TASK_TO_DEAL_ASSOCIATION_TYPE_ID,
  ASSOCIATION_TYPE_IDS,
} from './local-hubspot.state';
export type {
  FakeCrmObject,
  FakePortal,
  FakeOwner,
  FakeUser,
  AddPortalInput,
  UpsertDealInput,
} from './local-hubspot.state';
export { seedSamplePortal, addDefaultDealPipeline, DEFAULT_DEAL_PIPELINE_STAGES } from './sample-portal.seed';
export type { SamplePortal, SampleOwner, SampleDealKey, SamplePortalOptions } from './sample-portal.seed';
export { LocalHubSpotOAuth } from './local-hubspot.oauth';
export type { FakeOAuthApp, FakeConsent } from './local-hubspot.oauth';

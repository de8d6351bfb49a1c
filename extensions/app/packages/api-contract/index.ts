export * from './exception.schema';
export * from './backend-request';

import type { DomainModule } from '../domain.js';
import { certificateKeyPairModel } from './model.js';
import { certificateKeyPairViewSet } from './api.js';
import { bootstrapCrypto } from './bootstrap.js';

export const cryptoDomain = {
  name: 'crypto',
  models: [certificateKeyPairModel],
  viewSets: [certificateKeyPairViewSet],
  bootstrap: bootstrapCrypto,
} satisfies DomainModule;

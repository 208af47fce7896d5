import { stageDomain } from '../../flows/index.js';
import { consentStage } from './stage.js';

export const consentStageDomain = stageDomain('consent', consentStage);

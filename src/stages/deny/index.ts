import { stageDomain } from '../../flows/index.js';
import { denyStage } from './stage.js';

export const denyStageDomain = stageDomain('deny', denyStage);

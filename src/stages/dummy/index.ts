import { stageDomain } from '../../flows/index.js';
import { dummyStage } from './stage.js';

export const dummyStageDomain = stageDomain('dummy', dummyStage);

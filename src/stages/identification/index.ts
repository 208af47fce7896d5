import { stageDomain } from '../../flows/index.js';
import { identificationStage } from './stage.js';

export const identificationStageDomain = stageDomain('identification', identificationStage);

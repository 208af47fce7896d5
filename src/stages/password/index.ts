import { stageDomain } from '../../flows/index.js';
import { passwordStage } from './stage.js';

export const passwordStageDomain = stageDomain('password', passwordStage);

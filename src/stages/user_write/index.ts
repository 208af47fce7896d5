import { stageDomain } from '../../flows/index.js';
import { userWriteStage } from './stage.js';

export const userWriteStageDomain = stageDomain('user_write', userWriteStage);

import { stageDomain } from '../../flows/index.js';
import { userDeleteStage } from './stage.js';

export const userDeleteStageDomain = stageDomain('user_delete', userDeleteStage);

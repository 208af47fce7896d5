import { stageDomain } from '../../flows/index.js';
import { userLoginStage } from './stage.js';

export const userLoginStageDomain = stageDomain('user_login', userLoginStage);

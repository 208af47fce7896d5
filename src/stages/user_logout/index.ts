import { stageDomain } from '../../flows/index.js';
import { userLogoutStage } from './stage.js';

export const userLogoutStageDomain = stageDomain('user_logout', userLogoutStage);

import { stageDomain } from '../../flows/index.js';
import { emailStage } from './stage.js';

export const emailStageDomain = stageDomain('email', emailStage);

import { stageDomain } from '../../flows/index.js';
import { captchaStage } from './stage.js';

export const captchaStageDomain = stageDomain('captcha', captchaStage);

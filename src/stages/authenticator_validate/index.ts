import { stageDomain } from '../../flows/index.js';
import { validateStage } from './stage.js';

export const authenticatorValidateStageDomain = stageDomain('authenticator_validate', validateStage);

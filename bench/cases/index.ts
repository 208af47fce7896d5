import type { BenchCase } from '../registry.js';
import startup from './startup.js';
import memory from './memory.js';
import http from './http.js';
import password from './password.js';
import oauth2 from './oauth2.js';

/**
 * Every bench case, in the order they run. A new figure is a file in this folder (see `defineBench`) and a line
 * here; shared servers, credentials and the load generator come from the context.
 */
export const cases: BenchCase[] = [startup, memory, http, password, oauth2];

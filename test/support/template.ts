import { dropTemplate, prepareTemplate } from './database.js';

// `template.ts drop` removes the run's template; without an argument it builds it.
if (process.argv[2] === 'drop') await dropTemplate();
else await prepareTemplate();

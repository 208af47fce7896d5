// Creates an embedded PostgreSQL data folder (initdb) and exits: `node pglite-initdb.mjs <folder> <startParams JSON>`.
// Run as a child process by database.ts so that initdb's peak memory (a second PGlite instance and a
// tarball of the new folder, ~500 MB) goes back to the system with the child instead of staying in the server.
import { PGlite } from '@electric-sql/pglite';

const [folder, startParams] = process.argv.slice(2);
const pg = new PGlite(folder, { startParams: JSON.parse(startParams) });
await pg.waitReady;
await pg.close();

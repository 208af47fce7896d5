// The baseline every HTTP figure is compared with: node:http answering a small JSON body, nothing else.
// Plain JavaScript, so that it starts as a bare `node` process would.
import { createServer } from 'node:http';

const body = JSON.stringify({ status: 'ok', pagination: { count: 1 }, results: [{ pk: 1, username: 'akadmin' }] });
createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}).listen(Number(process.argv[2]), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));

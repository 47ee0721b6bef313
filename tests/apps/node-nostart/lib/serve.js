'use strict';
const http = require('http');
const board = require('./board');

board.register('board');

const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url.startsWith('/jobs/')) {
    board.register(decodeURIComponent(req.url.slice(6)));
    res.writeHead(201).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jobs: board.report(), uid: process.getuid() }));
});

const port = Number(process.env.PORT) || 4100;
server.listen(port, () => console.log(`uptime board on :${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));

'use strict';
// Accounts API: bcrypt is a native addon, compiled for this platform at install time.
const bcrypt = require('bcrypt');
const express = require('express');

const app = express();
app.use(express.json());
const users = new Map();

app.post('/signup', async (req, res) => {
  users.set(String(req.body.name), await bcrypt.hash(String(req.body.password), 10));
  res.status(201).json({ name: req.body.name });
});
app.post('/login', async (req, res) => {
  const hash = users.get(String(req.body.name));
  res.json({ ok: Boolean(hash) && (await bcrypt.compare(String(req.body.password), hash)) });
});
app.get('/', (req, res) => {
  // Proves the addon loaded: a hash made and checked with it.
  const hash = bcrypt.hashSync('probe', 4);
  res.json({ service: 'accounts', bcrypt: bcrypt.compareSync('probe', hash), uid: process.getuid() });
});
app.get('/health', (req, res) => res.json({ status: 'up' }));

const port = Number(process.env.PORT) || 3000;
app.listen(port, '0.0.0.0', () => console.log(`accounts on :${port}`));

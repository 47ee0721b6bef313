'use strict';
// Stock levels API; the port comes from $PORT.
const express = require('express');

const app = express();
app.use(express.json());
const stock = new Map([['widget', 12]]);

app.get('/', (req, res) => res.json({ service: 'inventory', items: stock.size, uid: process.getuid() }));
app.put('/stock/:sku', (req, res) => {
  stock.set(req.params.sku, Number(req.body.count) || 0);
  res.json({ sku: req.params.sku, count: stock.get(req.params.sku) });
});
app.get('/readyz', (req, res) => res.send('ready'));

const port = process.env.PORT || 4000;
app.listen(port, () => console.log(`inventory on ${port}`));

'use strict';
// A to-do list API. The port comes from $PORT, as on Heroku or Cloud Run.
const express = require('express');

const app = express();
app.use(express.json());
const todos = [];

app.get('/', (req, res) => res.json({ service: 'todo-api', todos: todos.length, uid: process.getuid() }));
app.post('/todos', (req, res) => {
  todos.push({ title: String(req.body.title || '') });
  res.status(201).json(todos[todos.length - 1]);
});
app.get('/healthz', (req, res) => res.send('ok'));

const port = process.env.PORT || 3000;
app.listen(port, () => console.log(`todo-api listening on ${port}`));

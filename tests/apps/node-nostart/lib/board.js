'use strict';
const ms = require('ms');

const started = new Map();

function register(name) {
  started.set(name, Date.now());
}

function report() {
  const now = Date.now();
  return [...started].map(([name, at]) => ({ name, up: ms(now - at) }));
}

module.exports = { register, report };

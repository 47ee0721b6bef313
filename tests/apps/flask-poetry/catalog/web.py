"""The catalog's HTTP API, a Flask app served by gunicorn (see the Procfile)."""
import os

from flask import Flask, jsonify

app = Flask(__name__)
PRODUCTS = {"p-1": {"name": "Teapot", "price": 18.5}}


@app.get("/")
def index():
    return jsonify(service="catalog", products=len(PRODUCTS), uid=os.getuid())


@app.get("/products/<pid>")
def product(pid):
    return jsonify(PRODUCTS.get(pid) or {}), (200 if pid in PRODUCTS else 404)


@app.get("/healthz")
def healthz():
    return "ok"

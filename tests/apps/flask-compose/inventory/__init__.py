"""Inventory API: items and their stock, in PostgreSQL (DATABASE_URL) or a local SQLite file."""
import os

from flask import Flask, jsonify, request

from . import store


def create_app() -> Flask:
    app = Flask(__name__)
    database = store.Store(os.environ.get("DATABASE_URL", "sqlite:////data/inventory.sqlite3"))

    @app.get("/")
    def index():
        return jsonify(service="inventory", backend=database.backend, uid=os.getuid())

    @app.get("/health")
    def health():
        return jsonify(status="ok")

    @app.get("/items")
    def list_items():
        return jsonify(items=database.items())

    @app.post("/items")
    def add_item():
        body = request.get_json(force=True)
        item = database.add(str(body["name"]), int(body.get("stock", 0)))
        return jsonify(item), 201

    return app

"""A small bookmarks API: Flask, everything in main.py, started with `python main.py`."""
import os

from flask import Flask, jsonify, request

app = Flask(__name__)
BOOKMARKS: list[dict] = []


@app.get("/")
def index():
    return jsonify(service="bookmarks", count=len(BOOKMARKS), uid=os.getuid())


@app.post("/bookmarks")
def add_bookmark():
    item = {"url": request.get_json(force=True).get("url", "")}
    BOOKMARKS.append(item)
    return jsonify(item), 201


@app.get("/healthz")
def healthz():
    return "ok"


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 5000)))

"""A WSGI app served by waitress; `quotes-serve` is its console script."""
import json
import os
import random

from waitress import serve

from quotes import QUOTES


def app(environ, start_response):
    if environ["PATH_INFO"] == "/healthz":
        body = b"ok"
    else:
        body = json.dumps({"quote": random.choice(QUOTES), "uid": os.getuid()}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def main() -> None:
    serve(app, host="0.0.0.0", port=int(os.environ.get("PORT", "8080")))

"""The HTTP API. Run with: uvicorn shortener.api:app"""
import hashlib
import os

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI(title="shortener")
LINKS: dict[str, str] = {}


class Link(BaseModel):
    url: str


@app.post("/links")
def shorten(link: Link) -> dict:
    code = hashlib.sha256(link.url.encode()).hexdigest()[:8]
    LINKS[code] = link.url
    return {"code": code}


@app.get("/links/{code}")
def resolve(code: str) -> dict:
    return {"url": LINKS.get(code)}


@app.get("/")
def root() -> dict:
    return {"service": "shortener", "uid": os.getuid()}


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}

"""Where the items live: PostgreSQL through psycopg, or SQLite from the standard library."""
import sqlite3
from urllib.parse import urlparse

SCHEMA = "CREATE TABLE IF NOT EXISTS items (name TEXT PRIMARY KEY, stock INTEGER NOT NULL)"


class Store:
    def __init__(self, url: str) -> None:
        self.url = url
        self.backend = urlparse(url).scheme.split("+")[0]

    def _connect(self):
        if self.backend == "sqlite":
            return sqlite3.connect(urlparse(self.url).path)
        import psycopg  # only needed with PostgreSQL

        return psycopg.connect(self.url)

    def items(self) -> list[dict]:
        with self._connect() as connection:
            connection.execute(SCHEMA)
            rows = connection.execute("SELECT name, stock FROM items ORDER BY name").fetchall()
        return [{"name": name, "stock": stock} for name, stock in rows]

    def add(self, name: str, stock: int) -> dict:
        mark = "?" if self.backend == "sqlite" else "%s"  # each driver's parameter style
        with self._connect() as connection:
            connection.execute(SCHEMA)
            connection.execute(f"INSERT INTO items (name, stock) VALUES ({mark}, {mark})", (name, stock))
        return {"name": name, "stock": stock}

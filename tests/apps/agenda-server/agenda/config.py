"""The server's configuration: an INI file (./config, or the path in AGENDA_CONFIG)."""
from __future__ import annotations

import configparser
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Config:
    host: str
    port: int
    folder: str


def load() -> Config:
    parser = configparser.ConfigParser()
    parser.read_dict({"server": {"hosts": "127.0.0.1:5232"}, "storage": {"folder": "/var/lib/agenda"}})
    parser.read(os.environ.get("AGENDA_CONFIG", "config"))
    host, _, port = parser["server"]["hosts"].rpartition(":")
    return Config(host=host, port=int(port), folder=parser["storage"]["folder"])

"""Guestbook: a Flask service whose start script upgrades its database, then serves."""
import os

from flask import Flask, jsonify, request
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get("DATABASE_URL", "sqlite:////data/guestbook.db")
db = SQLAlchemy(app)
migrate = Migrate(app, db)


class Entry(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80), nullable=False)


@app.get("/")
def index():
    return jsonify(entries=Entry.query.count(), uid=os.getuid())


@app.post("/sign")
def sign():
    db.session.add(Entry(name=request.form.get("name", "anonymous")))
    db.session.commit()
    return jsonify(entries=Entry.query.count()), 201

"""The ceiling of the stack: a Flask page that does nothing, served like the platform.

Whatever a listing page costs beyond this one is the platform's own work (session, database,
templates, translations); what this one costs is gunicorn, WSGI, Flask and the load tool.
"""

from __future__ import annotations

from flask import Flask

PAGE = "<!doctype html><html lang=\"zh\"><head><title>bare</title></head><body><p>锂电 bare page</p></body></html>"

app = Flask(__name__)


@app.get("/")
def index() -> str:
    return PAGE

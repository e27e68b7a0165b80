# The Flask ancestor's two endpoints, as its documents describe them, for the benchmark's baseline.
# Served by Debian's gunicorn: gunicorn --chdir bench/support flask_app:app
import os
import socket
import time

from flask import Flask, jsonify

app = Flask(__name__)
started = time.time()


@app.get("/api/v1/healthz")
def healthz():
    return jsonify(status="ok")


@app.get("/api/v1/details")
def details():
    return jsonify(
        app=os.environ.get("APP_NAME", "bench"),
        environment=os.environ.get("APP_ENV", "prod"),
        version="0.1.0",
        hostname=socket.gethostname(),
        uptimeSeconds=round(time.time() - started),
        source="downward-api",
        fallbackReason="not-in-cluster",
        pod={
            "name": os.environ.get("POD_NAME"),
            "namespace": os.environ.get("POD_NAMESPACE"),
            "nodeName": None,
            "ip": None,
            "phase": None,
            "startTime": None,
            "labels": {},
            "containers": [],
        },
    )

"""A fault-injection HTTP reverse proxy in front of moto's server (issue 9).

plinth is pointed at it through AWS_ENDPOINT_URL. For each request, decided by
a seeded random generator, the proxy may

  * delay it (then forward it),
  * answer a throttling error in the service's AWS error format, without
    forwarding (EC2 query API: 400 RequestLimitExceeded; other query APIs
    such as autoscaling, iam, elbv2, sts: 400 Throttling; JSON APIs (ECR,
    DynamoDB: an X-Amz-Target header): 400 ThrottlingException; S3: 503
    SlowDown),
  * answer 500 InternalError, without forwarding,
  * drop the connection (close the socket with no response), without
    forwarding.

Faults are injected before forwarding, so moto never sees a faulted request
and every retry is safe. The draws come from one generator in request order:
with concurrent clients, which request gets which fault depends on arrival
order, but the rates and the sequence of draws are fixed by the seed.

It counts API calls: the total and per action ("ec2:DescribeVpcs" from the
`Action=` form/query parameter, "ecr:AmazonEC2ContainerRegistry_V20150921.
CreateRepository" from X-Amz-Target, "s3:PUT /bucket" for S3 (method + path)).
`GET /__faultproxy/stats` answers the counters as JSON (never forwarded,
never faulted, not counted); `POST /__faultproxy/reset` zeroes them.
`--stats-file` also gets them on exit (SIGTERM / SIGINT).

Usage (Python standard library only):

    python proxy.py --target http://127.0.0.1:5000 --seed 7 --throttle 0.3 \\
        [--error500 0.05] [--drop 0.05] [--delay 0.2 --delay-max-ms 300] \\
        [--port 0] [--url-file FILE] [--stats-file FILE]

It prints `listening on http://127.0.0.1:PORT` on stdout and writes the URL to
--url-file once it accepts connections.
"""

import argparse
import http.client
import json
import os
import random
import re
import signal
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RESERVED = "/__faultproxy/"
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "content-length"}
SCOPE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request")


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.total = 0
            self.forwarded = 0
            self.actions = {}
            self.faults = {"delay": 0, "throttle": 0, "error500": 0, "drop": 0}
            self.started = time.monotonic()

    def count(self, action, fault):
        with self.lock:
            self.total += 1
            self.actions[action] = self.actions.get(action, 0) + 1
            if fault in ("throttle", "error500", "drop"):
                self.faults[fault] += 1
            else:
                self.forwarded += 1
                if fault == "delay":
                    self.faults["delay"] += 1

    def snapshot(self):
        with self.lock:
            return {
                "total": self.total,
                "forwarded": self.forwarded,
                "faults": dict(self.faults),
                "actions": dict(sorted(self.actions.items())),
                "seconds": round(time.monotonic() - self.started, 3),
            }


class Faults:
    """The seeded decisions: one draw per request, in arrival order."""

    def __init__(self, args):
        self.rng = random.Random(args.seed)
        self.lock = threading.Lock()
        self.args = args

    def decide(self):
        a = self.args
        with self.lock:
            x = self.rng.random()
            delay_ms = self.rng.uniform(0, a.delay_max_ms)
            delay = self.rng.random() < a.delay
        for name, rate in (("throttle", a.throttle), ("error500", a.error500), ("drop", a.drop)):
            if x < rate:
                return name, 0.0
            x -= rate
        return ("delay", delay_ms / 1000.0) if delay else (None, 0.0)


def service_of(headers, body_params):
    """The AWS service a request is for: the SigV4 credential scope, else a guess."""
    m = SCOPE.search(headers.get("Authorization", ""))
    if m:
        return m.group(1)
    target = headers.get("X-Amz-Target", "")
    if target.startswith("DynamoDB"):
        return "dynamodb"
    if target.startswith("AmazonEC2ContainerRegistry"):
        return "ecr"
    if body_params.get("Version") == "2016-11-15":
        return "ec2"
    return "s3" if not body_params else "unknown"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "faultproxy"

    def log_message(self, fmt, *args):  # quiet: the counters tell the story
        if self.server.verbose:
            sys.stderr.write("faultproxy: " + (fmt % args) + "\n")

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def handle_any(self):
        body = self.read_body()
        url = urllib.parse.urlsplit(self.path)
        if url.path.startswith(RESERVED):
            return self.control(url.path[len(RESERVED):])
        params = {}
        ctype = self.headers.get("Content-Type", "")
        if "x-www-form-urlencoded" in ctype:
            params = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace")))
        if "Action" not in params:
            params.update(dict(urllib.parse.parse_qsl(url.query)))
        service = service_of(self.headers, params)
        target = self.headers.get("X-Amz-Target")
        if target:
            action, kind = f"{service}:{target}", "json"
        elif "Action" in params:
            action, kind = f"{service}:{params['Action']}", "ec2" if service == "ec2" else "query"
        else:
            action, kind = f"{service}:{self.command} {url.path}", "rest"
        fault, delay = self.server.faults.decide()
        self.server.stats.count(action, fault)
        if fault == "drop":
            self.close_connection = True
            return  # the server closes the socket: no status line, no body
        if fault in ("throttle", "error500"):
            return self.error(kind, fault)
        if delay:
            time.sleep(delay)
        self.forward(body)

    def error(self, kind, fault):
        rid = str(uuid.uuid4())
        throttle = fault == "throttle"
        if kind == "json":
            code = "ThrottlingException" if throttle else "InternalServerError"
            status = 400 if throttle else 500
            payload = json.dumps({"__type": code, "message": "Rate exceeded" if throttle else "injected fault"}).encode()
            headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": rid, "x-amzn-ErrorType": code}
        elif kind == "ec2":
            code = "RequestLimitExceeded" if throttle else "InternalError"
            status = 400 if throttle else 500
            payload = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{code}</Code>"
                       f"<Message>{'Request limit exceeded.' if throttle else 'injected fault'}</Message></Error></Errors>"
                       f"<RequestID>{rid}</RequestID></Response>").encode()
            headers = {"Content-Type": "text/xml;charset=UTF-8"}
        elif kind == "query":
            code = "Throttling" if throttle else "InternalFailure"
            status = 400 if throttle else 500
            etype = "Sender" if throttle else "Receiver"
            payload = (f"<ErrorResponse><Error><Type>{etype}</Type><Code>{code}</Code>"
                       f"<Message>{'Rate exceeded' if throttle else 'injected fault'}</Message></Error>"
                       f"<RequestId>{rid}</RequestId></ErrorResponse>").encode()
            headers = {"Content-Type": "text/xml"}
        else:  # S3 REST
            code = "SlowDown" if throttle else "InternalError"
            status = 503 if throttle else 500
            payload = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code>"
                       f"<Message>{'Please reduce your request rate.' if throttle else 'injected fault'}</Message>"
                       f"<RequestId>{rid}</RequestId></Error>").encode()
            headers = {"Content-Type": "application/xml", "x-amz-request-id": rid}
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def forward(self, body):
        conn = http.client.HTTPConnection(self.server.target_host, self.server.target_port, timeout=300)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP and k.lower() != "expect"}
            headers["Content-Length"] = str(len(body))
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            self.send_response(resp.status, resp.reason)
            for k, v in resp.getheaders():
                if k.lower() not in HOP_BY_HOP:
                    self.send_header(k, v)
            if self.command != "HEAD" or resp.getheader("Content-Length") is None:
                self.send_header("Content-Length", str(len(data)))
            else:
                self.send_header("Content-Length", resp.getheader("Content-Length"))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
        except OSError as e:
            msg = f"faultproxy: moto unreachable: {e}".encode()
            self.send_response(502)
            self.send_header("Content-Length", str(len(msg)))
            self.end_headers()
            self.wfile.write(msg)
        finally:
            conn.close()

    def control(self, what):
        if what == "stats":
            payload = json.dumps(self.server.stats.snapshot()).encode()
        elif what == "reset" and self.command == "POST":
            self.server.stats.reset()
            payload = b"{}"
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = handle_any


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--target", required=True, help="moto's URL, e.g. http://127.0.0.1:5000")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--throttle", type=float, default=0.0, help="share of requests answered with a throttling error")
    p.add_argument("--error500", type=float, default=0.0, help="share answered with a 500")
    p.add_argument("--drop", type=float, default=0.0, help="share whose connection is closed without a response")
    p.add_argument("--delay", type=float, default=0.0, help="share of forwarded requests delayed")
    p.add_argument("--delay-max-ms", type=float, default=200.0, help="delays are uniform in 0..this")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--url-file", help="written with the proxy's URL once it listens")
    p.add_argument("--stats-file", help="written with the counters on exit")
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args()
    if args.throttle + args.error500 + args.drop > 1:
        p.error("--throttle + --error500 + --drop must not exceed 1")

    target = urllib.parse.urlsplit(args.target)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.target_host, server.target_port = target.hostname, target.port or 80
    server.stats, server.faults, server.verbose = Stats(), Faults(args), args.verbose
    url = f"http://127.0.0.1:{server.server_address[1]}"

    def stop(*_):
        if args.stats_file:
            with open(args.stats_file, "w") as f:
                json.dump(server.stats.snapshot(), f, indent=1)
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.url_file:
        with open(args.url_file + ".tmp", "w") as f:
            f.write(url)
        os.replace(args.url_file + ".tmp", args.url_file)
    print(f"listening on {url}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

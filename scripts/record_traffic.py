#!/usr/bin/env python3
"""A recording reverse proxy: client -> this -> gw. Appends one JSON line per request.

Why: gw is judged on what real clients (Claude Code, the openai and anthropic SDKs) actually send.
This proxy sits in front of gw, forwards every request unchanged, streams the response back
unbuffered (SSE arrives piece by piece), and writes what the client sent:

    {"session": "...", "seq": 1, "client": "claude-code", "method": "POST",
     "path": "/v1/messages?beta=true", "body": {...parsed JSON...}, "status": 200,
     "elapsed_ms": 41}

plus "error": gw's error body when the status is 400 or more, or the error event inside a stream.

Headers are never written (they carry `authorization` and `x-api-key`), and string values in the
body that look like credentials are replaced by "<redacted>".

Command line (prints its URL on the first line of stdout, like `gw run`):

    python3 scripts/record_traffic.py --upstream http://127.0.0.1:8080 --out traffic.jsonl \
        --session my-session [--client claude-code] [--listen 127.0.0.1:0]

While running, `PUT /_recorder/session` with `{"session": "...", "client": "..."}` starts a new
session (seq restarts at 1) and, with --keep, `GET /_recorder/requests` returns the records.
Tests can also use the `Recorder` class in-process.
"""

import argparse
import http.client
import http.server
import json
import re
import sys
import threading
import time
import urllib.parse

# Hop-by-hop headers (RFC 9110 7.6.1) plus the ones this proxy recomputes.
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
    "host",
}

STREAM_ERROR = re.compile(rb'^data: (\{"(?:type":"error|error)".*)$', re.M)

# Values that must never land in a committed corpus, whatever field they hide in.
SECRET_PATTERNS = [
    re.compile(r"sk-[A-Za-z0-9_\-]{16,}"),  # OpenAI / Anthropic style keys
    re.compile(r"\b(?:AKIA|ASIA|AKID)[A-Z0-9]{16}\b"),  # AWS access key ids
    re.compile(r"gw-emulator-(?:secret-access-key|bedrock-api-key)"),
    re.compile(r"\bgw_[A-Za-z0-9_\-]{20,}"),  # gw client keys
]


def redact(value):
    """Returns `value` (parsed JSON) with every string that matches a secret pattern redacted."""
    if isinstance(value, str):
        for pattern in SECRET_PATTERNS:
            value = pattern.sub("<redacted>", value)
        return value
    if isinstance(value, list):
        return [redact(v) for v in value]
    if isinstance(value, dict):
        return {k: redact(v) for k, v in value.items()}
    return value


def client_from_user_agent(user_agent):
    """Names the client from its User-Agent, for records whose session did not say."""
    ua = (user_agent or "").lower()
    if ua.startswith("claude-cli") or "claude-code" in ua:
        return "claude-code"
    if ua.startswith("openai/python"):
        return "openai-python"
    if ua.startswith("anthropic/python"):
        return "anthropic-python"
    return ua.split(" ")[0] or "unknown"


class Recorder:
    """The proxy server; `start()` runs it on a thread, `url` is where clients point."""

    def __init__(self, upstream, out=None, session="default", client=None, listen=("127.0.0.1", 0), keep=True):
        self.upstream = urllib.parse.urlsplit(upstream)
        self.keep = keep  # keep records in memory too (tests read them; a long CLI run need not)
        self.out = out
        self.session = session
        self.client = client
        self.records = []
        self._seq = 0
        self._lock = threading.Lock()
        recorder = self

        class Handler(_Handler):
            owner = recorder

        self.server = http.server.ThreadingHTTPServer(listen, Handler)
        self.server.daemon_threads = True
        host, port = self.server.server_address[:2]
        self.url = f"http://{host}:{port}"
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def new_session(self, session, client=None):
        """Starts numbering a new session; later records carry its name (and client, if given)."""
        with self._lock:
            self.session = session
            self.client = client
            self._seq = 0

    def next_seq(self):
        with self._lock:
            self._seq += 1
            return self.session, self._seq, self.client

    def write(self, record):
        with self._lock:
            if self.keep:
                self.records.append(record)
            if self.out:
                with open(self.out, "a", encoding="utf-8") as f:
                    f.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    owner: Recorder

    def log_message(self, *args):  # quiet: the JSONL file is the log
        pass

    def do_GET(self):
        if self.path == "/_recorder/requests":
            return self._reply_json(200, self.owner.records)
        self._proxy()

    def do_PUT(self):
        if self.path == "/_recorder/session":
            body = json.loads(self._read_body() or b"{}")
            self.owner.new_session(body.get("session", "default"), body.get("client"))
            return self._reply_json(200, {"session": self.owner.session})
        self._proxy()

    do_POST = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = lambda self: self._proxy()

    def _read_body(self):
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    def _reply_json(self, status, value):
        data = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _proxy(self):
        raw = self._read_body()
        session, seq, client = self.owner.next_seq()
        started = time.monotonic()
        up = self.owner.upstream
        conn_cls = http.client.HTTPSConnection if up.scheme == "https" else http.client.HTTPConnection
        conn = conn_cls(up.hostname, up.port, timeout=600)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["host"] = up.netloc
        headers["accept-encoding"] = "identity"  # so streamed bytes pass through as they are
        if raw:
            headers["content-length"] = str(len(raw))
        status = 502
        error = None  # gw's error body, kept for non-2xx answers (it names the policy that blocked)
        try:
            conn.request(self.command, up.path.rstrip("/") + self.path, body=raw or None, headers=headers)
            resp = conn.getresponse()
            status = resp.status
            self.send_response(resp.status, resp.reason)
            for k, v in resp.getheaders():
                if k.lower() not in HOP_BY_HOP:
                    self.send_header(k, v)
            length = resp.getheader("content-length")
            if self.command == "HEAD" or resp.status in (204, 304):
                self.send_header("content-length", "0")
                self.end_headers()
            elif length is not None:
                self.send_header("content-length", length)
                self.end_headers()
                data = resp.read()
                if resp.status >= 400:
                    error = data
                self.wfile.write(data)
            else:
                # Unknown length (SSE): pass each piece on as soon as it arrives, chunked.
                self.send_header("transfer-encoding", "chunked")
                self.end_headers()
                tail = b""
                while True:
                    piece = resp.read1(65536)
                    if not piece:
                        break
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    self.wfile.flush()
                    tail = (tail + piece)[-16384:]
                self.wfile.write(b"0\r\n\r\n")
                # An error inside a 200 stream (Anthropic `event: error`, OpenAI `{"error": ...}`).
                found = STREAM_ERROR.search(tail)
                if found:
                    error = found.group(1)
            self.wfile.flush()
        except (ConnectionError, OSError) as err:
            if status == 502:
                self._reply_json(502, {"error": f"recorder could not reach gw: {err}"})
        finally:
            conn.close()
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = {"non_json_bytes": len(raw)}
            record = {
                "session": session,
                "seq": seq,
                "client": client or client_from_user_agent(self.headers.get("user-agent")),
                "method": self.command,
                "path": self.path,
                "body": redact(body),
                "status": status,
                "elapsed_ms": round((time.monotonic() - started) * 1000),
            }
            if error is not None:
                try:
                    record["error"] = redact(json.loads(error))
                except ValueError:
                    record["error"] = error.decode("utf-8", "replace")[:2000]
            self.owner.write(record)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--upstream", required=True, help="gw's base URL, e.g. http://127.0.0.1:8080")
    ap.add_argument("--out", required=True, help="JSONL file to append to")
    ap.add_argument("--session", default="default")
    ap.add_argument("--client", default=None, help="client name; default: from the User-Agent")
    ap.add_argument("--listen", default="127.0.0.1:0")
    ap.add_argument("--keep", action="store_true", help="also serve the records at GET /_recorder/requests")
    args = ap.parse_args()
    host, _, port = args.listen.rpartition(":")
    rec = Recorder(args.upstream, args.out, args.session, args.client, (host or "127.0.0.1", int(port)), args.keep)
    print(rec.url, flush=True)
    try:
        rec.server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())

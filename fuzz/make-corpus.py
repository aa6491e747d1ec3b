#!/usr/bin/env python3
"""make-corpus.py - regenerate fuzz/corpus/<target>/ from the conformance
cases in tests/spec/*.txt (and a few extra seeds below), with the option
bytes each target expects in front (see fuzz/common.h).

    fuzz/make-corpus.py [--fuzzers DIR] [SPEC_DIR]

Each target's directory is emptied and rewritten; file names say where an
input came from.  The case format and its escapes are those of
tests/test_spec.c.  With --fuzzers (the directory holding the built
fuzz-<target> binaries, e.g. build/fuzz/fuzz), each target keeps only the
inputs that libFuzzer's -merge=1 needs for the same coverage: that is how the
committed corpus stays small.
"""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

FLAGS = {
    "bare-lf": 1 << 0, "obs-fold": 1 << 1, "dup-content-length": 1 << 2, "te-with-cl": 1 << 3,
    "value-chars": 1 << 4, "target": 1 << 5, "missing-reason-sp": 1 << 6, "whitespace": 1 << 7,
    "transfer-codings": 1 << 8, "data-after-close": 1 << 9, "all": (1 << 10) - 1,
}
TYPES = {"request": 1, "response": 2, "both": 3}
TARGETS = ["request", "response", "both", "split", "pause"]
# callback results the option byte can ask for (common.h, byte 1 bits 6-7)
HC_OK, HC_SKIP, HC_UPGRADE, HC_USER = 0, 1, 2, 3


def decode(line, where):
    """The escapes of test_spec.c: \\r \\n \\t \\\\ \\xHH."""
    out = bytearray()
    i = 0
    raw = line.encode("latin-1")
    while i < len(raw):
        ch = raw[i]
        i += 1
        if ch != 0x5C:
            out.append(ch)
            continue
        if i >= len(raw):
            sys.exit("%s: unknown escape in input" % where)
        e = chr(raw[i])
        i += 1
        if e in "rnt\\":
            out.append({"r": 13, "n": 10, "t": 9, "\\": 92}[e])
        elif e == "x":
            h = raw[i:i + 2].decode("latin-1")
            if not re.fullmatch(r"[0-9a-fA-F]{2}", h):
                sys.exit("%s: bad \\x escape" % where)
            out.append(int(h, 16))
            i += 2
        else:
            sys.exit("%s: unknown escape in input" % where)
    return bytes(out)


def parse_spec(path):
    """Yield dicts: name, type, flags, max_head, max_body, input."""
    cases = []
    case = None
    section = 0
    with open(path, encoding="latin-1") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            where = "%s:%d" % (path, lineno)
            if line.startswith("=== "):
                case = {"name": line[4:], "type": 1, "flags": 0, "max_head": 0, "max_body": 0,
                        "input": b""}
                cases.append(case)
                section = 0
                continue
            if case is None:
                continue
            if line == "--- input":
                section = 1
            elif line == "--- output":
                section = 2
            elif section == 1:
                case["input"] += decode(line, where)
            elif section == 2 or not line or line.startswith("#"):
                continue
            elif line.startswith("type: "):
                case["type"] = TYPES[line[6:]]
            elif line.startswith("flags: "):
                case["flags"] = 0
                for name in line[7:].split(","):
                    if name:
                        case["flags"] |= FLAGS[name]
            elif line.startswith("max-head: "):
                case["max_head"] = int(line[10:])
            elif line.startswith("max-body: "):
                case["max_body"] = int(line[10:])
    return cases


def config(flags, max_head=0, max_body=0, hc=HC_OK, user_at=0):
    """The four option bytes (common.h).  Limits are encoded exactly when the
    encoding allows, else rounded."""
    b1 = (flags >> 8) & 3
    b2 = b3 = 0
    if max_head:
        v = max(16, min(max_head, 16 + 256 * 255))
        if v <= 16 + 255:
            b1 |= 1 << 2
            b2 = v - 16
        elif v <= 16 + 16 * 255:
            b1 |= 2 << 2
            b2 = (v - 16 + 8) // 16
        else:
            b1 |= 3 << 2
            b2 = (v - 16 + 128) // 256
    if max_body:
        v = max(1, max_body)
        if v <= 256:
            b1 |= 1 << 4
            b3 = v - 1
        else:
            b1 |= 2 << 4
            b3 = min(255, (v - 1 + 32) // 64)
    b1 |= hc << 6
    if hc == HC_USER:  # the notification that fails is (b2 ^ b3) & 63
        b3 = (b2 ^ (user_at & 127)) & 0xFF
    return bytes([flags & 0xFF, b1, b2, b3])


def lcg(seed):
    while True:
        seed = (seed * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        yield seed >> 33


def cut_bytes(data, name, k):
    """k cut gaps at pseudo-random offsets (seeded by the name)."""
    if len(data) < 2 or k == 0:
        return b""
    rnd = lcg(int(hashlib.sha1(name.encode()).hexdigest()[:12], 16))
    gaps = []
    at = 0
    for _ in range(k):
        gap = 1 + next(rnd) % max(1, min(256, len(data) // (k + 1) + 1))
        if at + gap >= len(data):
            break
        at += gap
        gaps.append(gap - 1)
    return bytes(gaps)


def entries(case, idx):
    """(target, file name, bytes) for one case.  The request, response and
    both targets read the same format and fuzz/run.sh seeds each from all
    three directories, so a case goes to the one its type names; split and
    pause get every sixth case and the extra seeds."""
    t, name, data = case["type"], case["slug"], case["input"]
    cfg = config(case["flags"], case["max_head"], case["max_body"], case.get("hc", HC_OK), case.get("user_at", idx))
    out = [({1: "request", 2: "response", 3: "both"}[t], name, cfg + data)]
    if idx % 6 and not name.startswith("seed-"):
        return out
    k = idx // 6
    # split: a few cuts, or every byte for short inputs now and then
    if k % 5 == 4 and len(data) < 300:
        out.append(("split", name, cfg + bytes([t | 0x80]) + data))
    else:
        gaps = cut_bytes(data, name, 3 + k % 5)
        out.append(("split", name, cfg + bytes([t | (len(gaps) << 2)]) + gaps + data))
    # pause: every callback, or a seeded pattern; cuts now and then
    gaps = cut_bytes(data, name + "/pause", k % 3)
    pattern = 0 if k % 2 == 0 else (k * 37) % 254 + 1
    out.append(("pause", name, cfg + bytes([t | (len(gaps) << 2), pattern]) + gaps + data))
    return out


# Extra seeds: shapes the parser handles that the spec files may not show.
CRLF = b"\r\n"
EXTRA = [
    ("chunked-ext-trailers", 1, 0, b"POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"4;name=value;q=\"a \\\"b\\\"\"\r\nWiki\r\n5 ; x\r\npedia\r\nA\r\n in\r\n\r\nchunks.\r\n0\r\nX-T: 1\r\nX-U:  two words \r\n\r\n"),
    ("chunked-hex-upper", 2, 0, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n00A\r\n0123456789\r\nf\r\n0123456789abcde\r\n000\r\n\r\n"),
    ("expect-continue", 1, 0, b"PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc"),
    ("interim-100", 2, 0, b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
    ("websocket", 1, 0, b"GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n\x81\x05hello"),
    ("switching-101", 2, 0, b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\nPRI * HTTP/2.0"),
    ("connect", 1, 0, b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\x16\x03\x01"),
    ("options-star", 1, 0, b"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"),
    ("absolute-form", 1, 0, b"GET http://example.com:8080/p?q=1#f HTTP/1.1\r\nHost: example.com\r\n\r\n"),
    ("http10-keepalive", 1, 0, b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /2 HTTP/1.0\r\n\r\nGET /3 HTTP/1.0\r\n\r\n"),
    ("close-then-data", 1, 512, b"GET / HTTP/1.1\r\nConnection: close\r\n\r\nGET /again HTTP/1.1\r\n\r\n"),
    ("te-gzip-chunked", 1, 256, b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n"),
    ("te-with-cl", 1, 8, b"POST / HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
    ("dup-cl", 1, 4, b"POST / HTTP/1.1\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc"),
    ("obs-fold", 1, 2, b"GET / HTTP/1.1\r\nX-Folded: one\r\n two\r\n\t three\r\nHost: a\r\n\r\n"),
    ("bare-lf", 1, 1, b"GET / HTTP/1.1\nHost: a\n\nPOST / HTTP/1.1\nContent-Length: 1\n\nx"),
    ("lenient-ws", 1, 128, b"GET  \t/x  HTTP/1.1  \r\nHost: a\r\n\r\n"),
    ("missing-reason", 2, 64, b"HTTP/1.1 204\r\n\r\nHTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n"),
    ("value-chars", 2, 16, b"HTTP/1.1 200 O\x01K\r\nX: a\x7fb\x1bc\r\nContent-Length: 0\r\n\r\n"),
    ("target-8bit", 1, 32, b"GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n"),
    ("ws-runs", 1, 0, b"GET / HTTP/1.1\r\nX: a" + b" \t" * 40 + b"b" + b" " * 80 + b"c   \r\n\r\n"),
    ("both-mixed", 3, 0, b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTPX / HTTP/1.1\r\n\r\nHTTP/1.0 304 Not Modified\r\n\r\n"),
    ("eof-body", 2, 0, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nraw until close"),
    ("many-hosts", 1, 0, b"GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\nHOST: c\r\n\r\n"),
    ("empty-lines", 1, 0, b"\r\n\r\nGET / HTTP/1.1\r\n\r\n\r\nDELETE /x HTTP/1.1\r\nContent-Length: 0\r\n\r\n"),
    ("big-cl", 2, 0, b"HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551614\r\n\r\nab"),
    ("big-chunk", 2, 0, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffff\r\nab"),
    ("detect-at-limit", 3, 0, b"\r\n" * 6 + b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 16),
    ("body-user-error", 2, 0, b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n123456789", 0, 0, HC_USER, 64 + 10),
    ("head-limit", 1, 0, b"GET /a-rather-long-target-to-hit-the-limit HTTP/1.1\r\nHost: a\r\n\r\n", 40),
    ("body-limit", 1, 0, b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", 0, 8),
    ("skip-body", 2, 0, b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", 0, 0, HC_SKIP),
    ("cb-upgrade", 2, 0, b"HTTP/1.1 200 Connection established\r\n\r\nTLS", 0, 0, HC_UPGRADE),
    ("user-error", 1, 0, b"GET / HTTP/1.1\r\nHost: a\r\nX: y\r\n\r\n", 0, 0, HC_USER, 6),
    ("all-lenient", 3, 1023, b"GET /\xff HTTP/1.1\nX: a\n b\nContent-Length: 1,1\n\nzHTTP/1.1 200\n\n"),
]


def minimise(fuzzer, blobs):
    """The names of the blobs libFuzzer's -merge=1 keeps (same coverage)."""
    tmp = tempfile.mkdtemp(prefix="httpmsg-corpus-")
    try:
        src, dst = os.path.join(tmp, "all"), os.path.join(tmp, "min")
        os.mkdir(src)
        os.mkdir(dst)
        for name, blob in blobs.items():
            with open(os.path.join(src, name), "wb") as f:
                f.write(blob)
        r = subprocess.run([fuzzer, "-merge=1", "-use_counters=0", dst, src], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE)
        if r.returncode != 0:
            sys.stderr.write(r.stderr.decode("latin-1")[-4000:])
            sys.exit("%s -merge=1 failed" % fuzzer)
        kept = set()
        for fn in os.listdir(dst):
            with open(os.path.join(dst, fn), "rb") as f:
                kept.add(f.read())
        return {n for n, b in blobs.items() if b in kept}
    finally:
        shutil.rmtree(tmp)


def main():
    args = sys.argv[1:]
    fuzzers = None
    if len(args) >= 2 and args[0] == "--fuzzers":
        fuzzers = args[1]
        args = args[2:]
    spec_dir = args[0] if args else os.path.join(ROOT, "tests", "spec")
    cases = []
    for fn in sorted(os.listdir(spec_dir)):
        if not fn.endswith(".txt"):
            continue
        stem = fn[:-4]
        for i, c in enumerate(parse_spec(os.path.join(spec_dir, fn))):
            c["slug"] = "spec-%s-%03d" % (stem, i)
            cases.append(c)
    for e in EXTRA:
        name, t, flags, data = e[:4]
        mh = e[4] if len(e) > 4 else 0
        mb = e[5] if len(e) > 5 else 0
        hc = e[6] if len(e) > 6 else HC_OK
        user_at = e[7] if len(e) > 7 else 0
        cases.append({"slug": "seed-" + name, "type": t, "flags": flags, "max_head": mh, "max_body": mb,
                      "hc": hc, "user_at": user_at, "input": data})

    files = {t: {} for t in TARGETS}
    for idx, c in enumerate(cases):
        for target, name, blob in entries(c, idx):
            if blob not in files[target].values():
                files[target][name] = blob
    if fuzzers:
        for t in TARGETS:
            keep = minimise(os.path.join(fuzzers, "fuzz-" + t), files[t])
            # the extra seeds stay in the parse targets: shapes worth starting from
            files[t] = {n: b for n, b in files[t].items()
                        if n in keep or (n.startswith("seed-") and t in ("request", "response", "both"))}
    total = 0
    for t in TARGETS:
        d = os.path.join(HERE, "corpus", t)
        os.makedirs(d, exist_ok=True)
        for old in os.listdir(d):
            os.remove(os.path.join(d, old))
        for name, blob in sorted(files[t].items()):
            with open(os.path.join(d, name), "wb") as f:
                f.write(blob)
        total += len(files[t])
        print("corpus/%s: %d files" % (t, len(files[t])))
    print("%d files from %d spec cases and %d extra seeds" % (total, len(cases) - len(EXTRA), len(EXTRA)))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Bad uploads mixed into a load run of scripts/bench-serve.sh: for --seconds, --bad threads
send in turn a truncated JPEG, an empty body, a 100 MB body, a pixel bomb (a PNG header
claiming 30000x30000 pixels), a multipart form without a boundary and one without a `file`
field, and garbage; --good threads post the benchmark's JPEGs and check each answer against
the PNG the `segment` command wrote for it (--expected FOLDER/NAME.mask.png). Prints the
statuses seen per kind and how many good answers were right; exits 1 if any good answer was
wrong or failed, or a bad upload got anything but its 4xx.

  bad-uploads.py --port P --seconds 60 --jpegs DIR --expected DIR
"""
import argparse
import collections
import http.client
import os
import socket
import struct
import threading
import time
import zlib


def png_bomb(width, height):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def post(port, target, body, headers=None, timeout=120):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("POST", target, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def huge(port):
    """100 MB announced and sent until the server stops reading: its early 413."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        s.sendall(b"POST /v1/segment HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n"
                  % (100 << 20))
        piece = b"\0" * (1 << 20)
        try:
            for _ in range(100):
                s.sendall(piece)
        except OSError:
            pass
        data = b""
        try:
            while b"\r\n" not in data:
                more = s.recv(4096)
                if not more:
                    break
                data += more
        except OSError:
            pass
        parts = data.split(b" ")
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--jpegs", required=True)
    parser.add_argument("--expected", required=True)
    parser.add_argument("--bad", type=int, default=2)
    parser.add_argument("--good", type=int, default=2)
    args = parser.parse_args()

    names = sorted(n for n in os.listdir(args.jpegs) if n.endswith(".jpg"))
    jpegs = {n: open(os.path.join(args.jpegs, n), "rb").read() for n in names}
    expected = {n: open(os.path.join(args.expected, n[:-4] + ".mask.png"), "rb").read()
                for n in names}
    sample = jpegs[names[0]]
    kinds = {
        "truncated": lambda: post(args.port, "/v1/segment", sample[: len(sample) // 3]),
        "empty": lambda: post(args.port, "/v1/segment", b""),
        "100 MB": lambda: (huge(args.port), b""),
        "pixel bomb": lambda: post(args.port, "/v1/segment", png_bomb(30000, 30000)),
        "multipart, no boundary": lambda: post(
            args.port, "/v1/segment", sample, {"Content-Type": "multipart/form-data"}),
        "multipart, no file": lambda: post(
            args.port, "/v1/segment",
            b"--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n" + sample + b"\r\n--b--\r\n",
            {"Content-Type": "multipart/form-data; boundary=b"}),
        "garbage": lambda: post(args.port, "/v1/segment", os.urandom(5000)),
    }
    wanted = {"truncated": 400, "empty": 400, "100 MB": 413, "pixel bomb": 422,
              "multipart, no boundary": 400, "multipart, no file": 400, "garbage": 400}
    seen = collections.defaultdict(collections.Counter)
    good = collections.Counter()
    lock = threading.Lock()
    deadline = time.time() + args.seconds

    def bad_loop(offset):
        order = list(kinds)
        i = offset
        while time.time() < deadline:
            kind = order[i % len(order)]
            i += 1
            try:
                status, _ = kinds[kind]()
            except Exception as error:  # a failed connection is a finding too
                status = type(error).__name__
            with lock:
                seen[kind][status] += 1

    def good_loop(offset):
        i = offset
        while time.time() < deadline:
            name = names[i % len(names)]
            i += 1
            try:
                status, body = post(args.port, "/v1/segment", jpegs[name],
                                    {"Content-Type": "image/jpeg"})
                verdict = "right" if status == 200 and body == expected[name] else f"wrong ({status})"
            except Exception as error:
                verdict = type(error).__name__
            with lock:
                good[verdict] += 1

    threads = [threading.Thread(target=bad_loop, args=(k,)) for k in range(args.bad)]
    threads += [threading.Thread(target=good_loop, args=(k,)) for k in range(args.good)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    failed = False
    for kind in kinds:
        counts = dict(seen[kind])
        print(f"bad upload {kind!r}: {counts} (wanted {wanted[kind]})")
        failed |= any(status != wanted[kind] for status in counts)
    print(f"checked good answers: {dict(good)}")
    failed |= set(good) != {"right"}
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

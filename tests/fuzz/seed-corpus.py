#!/usr/bin/env python3
"""seed-corpus.py MINIBOX OUTDIR - seed the protocol fuzzer with real messages.

The fuzzer's seeds must be what the daemon really reads, not what someone
thought the protocol looked like: this script plays a daemon on a private
socket, runs the real client (MINIBOX) for each verb the client sends to a
daemon, and writes every message body it receives (requests, and the
{"signal": N} a client forwards when it is interrupted) to OUTDIR, one file
each. It needs no root and starts no container: the fake daemon answers
every request with an exit status of 0.
"""
import array
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

COMMANDS = [
    ["run", "--rm", "--net", "none", "--rootfs", "/srv/rootfs", "sh", "-c", "echo hi"],
    ["run", "-d", "--name", "web", "-p", "8080:80", "-e", "A=1", "--memory", "64M", "busybox"],
    ["run", "-e", "A=1", "-d", "-w", "/x", "--cpus", "0.5", "--pids-limit", "20", "busybox", "top"],
    ["run", "-it", "--hostname", "box", "-v", "/srv:/data:ro", "busybox", "sh"],
    ["ps"],
    ["ps", "-aq"],
    ["ps", "--format", "json"],
    ["stop", "-t", "5", "web"],
    ["kill", "-s", "USR1", "web"],
    ["rm", "-f", "web", "0123456789ab"],
    ["logs", "-f", "web"],
    ["images"],
    ["image", "import", "/srv/busybox.tar", "busybox"],
    ["rmi", "busybox"],
    ["commit", "web", "web-snapshot"],
    ["exec", "-e", "B=2", "-w", "/tmp", "web", "sh", "-c", "id"],
    ["inspect", "web"],
]
# The client forwards these while a run is attached.
INTERRUPTED = ["run", "--rm", "--net", "none", "--rootfs", "/srv/rootfs", "sleep", "60"]


def recv_message(conn):
    """One frame: 4-byte big-endian length (fds ride on it), then the body."""
    fds = array.array("i")
    head, anc, _, _ = conn.recvmsg(4, socket.CMSG_SPACE(3 * fds.itemsize))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
    for fd in fds:
        os.close(fd)
    if not head:
        return None
    while len(head) < 4:
        more = conn.recv(4 - len(head))
        if not more:
            return None
        head += more
    size = int.from_bytes(head, "big")
    body = b""
    while len(body) < size:
        more = conn.recv(size - len(body))
        if not more:
            return None
        body += more
    return body


def reply(conn, text):
    body = text.encode()
    conn.sendall(len(body).to_bytes(4, "big") + body)


def serve(listener, bodies, stop):
    listener.settimeout(0.2)
    while not stop.is_set():
        try:
            conn, _ = listener.accept()
        except socket.timeout:
            continue
        with conn:
            body = recv_message(conn)
            if body is None:
                continue
            bodies.append(body)
            # An attached run stays connected: collect what the client
            # forwards (signals) until it has been quiet a while.
            conn.settimeout(1.0)
            try:
                while True:
                    more = recv_message(conn)
                    if more is None:
                        break
                    bodies.append(more)
            except socket.timeout:
                pass
            reply(conn, '{"v":1,"ok":true,"exit":0}')


def main():
    minibox, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="mb-seeds.")
    path = os.path.join(tmp, "d.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(8)
    bodies, stop = [], threading.Event()
    server = threading.Thread(target=serve, args=(listener, bodies, stop))
    server.start()
    env = dict(os.environ, MINIBOX_SOCKET=path, MINIBOX_ROOT=tmp)
    try:
        for args in COMMANDS:
            subprocess.run([minibox] + args, env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=20)
        client = subprocess.Popen([minibox] + INTERRUPTED, env=env, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.3)
        client.send_signal(signal.SIGINT)
        time.sleep(0.1)
        client.send_signal(signal.SIGTERM)
        client.wait(timeout=20)
    finally:
        stop.set()
        server.join()
        listener.close()
        os.unlink(path)
        os.rmdir(tmp)
    for i, body in enumerate(bodies):
        with open(os.path.join(outdir, f"real-{i:02d}"), "wb") as f:
            f.write(body)
    if len(bodies) < len(COMMANDS) + 1:
        sys.exit(f"seed-corpus: the client sent {len(bodies)} messages for "
                 f"{len(COMMANDS) + 1} commands and a signal")
    print(f"seed-corpus: {len(bodies)} real messages in {outdir}")


if __name__ == "__main__":
    main()

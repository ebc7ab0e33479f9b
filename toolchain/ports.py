#!/usr/bin/env python3
"""Loopback ports for the check scripts (toolchain/lib.sh calls it).

  ports.py free          prints a TCP port on 127.0.0.1 that nothing listens on right now
  ports.py wait PORT     waits up to about 10 s for something to accept on 127.0.0.1:PORT;
                         exit 1 (with a sentence) when nothing did
"""
import socket
import sys
import time


def free():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        print(probe.getsockname()[1])


def wait(port):
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("nothing accepted connections on 127.0.0.1:%d within 10 s" % port)


if __name__ == "__main__":
    if sys.argv[1:2] == ["free"] and len(sys.argv) == 2:
        free()
    elif sys.argv[1:2] == ["wait"] and len(sys.argv) == 3:
        wait(int(sys.argv[2]))
    else:
        sys.exit(__doc__)

#!/usr/bin/env python3
"""Helpers of toolchain/wireshark-check.sh.

  wireshark_helpers.py names < FIELDS       CAPF command numbers (tshark's capf.command,
                                             comma-separated per line) as one line of names
  wireshark_helpers.py transcript FILE      a CAPF or TVS transcript of Tests/Vectors ("phone->…"
                                             or "server->…", …, the message in hex) as text2pcap
                                             input: "O" toward the server, "I" from it
"""
import sys

CAPF_COMMANDS = {"1": "AuthRequest", "2": "AuthResponse", "3": "KeyGenerateRequest", "4": "KeyGenerateResponse",
                 "9": "StoreCertificateRequest", "10": "StoreCertificateResponse", "15": "EndSession",
                 "17": "RequestInProgress"}


def names(lines):
    print(" ".join(CAPF_COMMANDS.get(code, code) for line in lines for code in line.strip().split(",") if code))


def transcript(path):
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        direction, *_, message = line.split()
        print("O" if direction.startswith("phone->") else "I")
        data = bytes.fromhex(message)
        for offset in range(0, len(data), 16):
            print("%06x %s" % (offset, " ".join("%02x" % byte for byte in data[offset:offset + 16])))
        print()


if __name__ == "__main__":
    if sys.argv[1:] == ["names"]:
        names(sys.stdin)
    elif len(sys.argv) == 3 and sys.argv[1] == "transcript":
        transcript(sys.argv[2])
    else:
        sys.exit(__doc__)

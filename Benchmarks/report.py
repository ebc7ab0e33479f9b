#!/usr/bin/env python3
"""Turns one benchmark run (the harness's `histogramPercentiles` export) into the
Markdown table of medians and ratios, checks the thresholds of issue 9, and puts the
table into a page (docs/benchmarks.md) between its benchmark markers.

usage: report.py RESULTS_DIR --output FILE [--readme docs/benchmarks.md] [--firmware OUT_DIR]
Exit status 1 when a threshold is not met (the table is written all the same)."""

import argparse
import datetime
import glob
import os
import platform
import re
import subprocess
import sys

import markdown_block  # beside this file

SCALE = {"": 1, "#": 1, "K": 1_000, "M": 1_000_000, "G": 1_000_000_000}
METRICS = {
    "wallClock": "wall",
    "thread_CPU_time_(ns)": "cpu",
    "mallocCountTotal": "mallocs",
    "peakMemoryResident": "rss",
    "peak_heap_above_baseline_(bytes)": "heap",
    "process_wall_time_(ns)": "process_wall",
    "process_CPU_time_(ns)": "process_cpu",
    "process_peak_RSS_(bytes)": "process_rss",
}
FIRMWARE_ARCHITECTURES = ["x86_64", "aarch64", "armv7"]
FIRMWARE_SIZE_LIMIT = 400 * 1024
MiB = 1024 * 1024


def read_medians(directory):
    """{benchmark: {metric: median}} from files named
    BASELINE.TARGET.BENCHMARK.METRIC.histogram.percentiles.tsv."""
    medians = {}
    for path in glob.glob(os.path.join(directory, "*.histogram.percentiles.tsv")):
        name = os.path.basename(path)[: -len(".histogram.percentiles.tsv")]
        parts = name.split(".")
        benchmark, metric = parts[2], ".".join(parts[3:])
        if metric not in METRICS:
            continue
        with open(path) as file:
            header = file.readline()
            # The header ends with the unit the values are in, e.g. "(ns) *" or "(K) *".
            units = re.findall(r"\(([^)]*)\)", header)
            factor = SCALE.get(units[-1], 1) if units and units[-1] in SCALE else 1
            for number, line in enumerate(file, start=2):
                fields = line.rstrip("\n").split("\t")
                if len(fields) != 2 or not all(field.isdigit() for field in fields):
                    raise SystemExit(f"report.py: {path}:{number}: not 'percentile<TAB>value': {line[:80]!r}")
                if fields[0] == "50":
                    medians.setdefault(benchmark, {})[METRICS[metric]] = int(fields[1]) * factor
            if METRICS[metric] not in medians.get(benchmark, {}):
                raise SystemExit(f"report.py: {path}: no 50th percentile")
    return medians


def machine():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as file:
            for line in file:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass

    def package(name):
        # The host architecture's copy: arm64 and armhf copies of mbedTLS are installed too.
        try:
            architecture = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True).stdout.strip()
            return subprocess.run(["dpkg-query", "-W", "-f=${Version}", f"{name}:{architecture}"], capture_output=True,
                                  text=True).stdout or "?"
        except OSError:
            return "?"

    swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()
    return (f"{model}, {os.cpu_count()} cores, Linux {platform.release()} ({platform.machine()}); "
            f"{swift[0] if swift else 'swift ?'}; mbedTLS {package('libmbedtls-dev')}, "
            f"OpenSSL {package('libssl-dev')}, libxml2 {package('libxml2-dev')}")


def ms(ns):
    return f"{ns / 1e6:.3f}"


def kib(n):
    return f"{n / 1024:.1f}"


def render(medians, when, where, firmware_sizes=None):
    def get(benchmark, metric):
        try:
            return medians[benchmark][metric]
        except KeyError:
            raise SystemExit(f"report.py: no {metric} result for {benchmark}: did every benchmark run?")

    def row(label, benchmark, ratio_to=None):
        cells = [label, ms(get(benchmark, "wall")), ms(get(benchmark, "cpu")), str(get(benchmark, "mallocs")),
                 kib(get(benchmark, "heap")), f"{get(benchmark, 'rss') / MiB:.0f}"]
        if ratio_to is not None:
            cells.append(f"{get(benchmark, 'wall') / get(ratio_to, 'wall'):.2f}")
        return "| " + " | ".join(cells) + " |"

    head = "| | wall ms | CPU ms | mallocs | peak heap KiB | process RSS MiB |"
    rule = "|---|---:|---:|---:|---:|---:|"
    lines = [f"Medians of one run of `Benchmarks/run.sh` on {when}, {where}. Release builds.",
             "CPU is the measuring thread's CPU time; peak heap is the most heap in use during the call above",
             "what was in use when it began; process RSS is the harness's sampled resident peak of the whole",
             "benchmark process. The loopback rows run the phone in-process against `cucm-lab serve` in a child",
             "process, so their figures are the phone's alone.", ""]

    lines += ["**Trust lists: parse, every record's certificate, signature**", "", head, rule]
    for label, name in [("interop ITLFile.tlv (3 records)", "itl_interop"),
                        ("interop ITLSEPA45630BBFA40.tlv (per-device)", "itl_interop_per_device"),
                        ("interop CTLFile.tlv", "ctl_interop"), ("cucm-style ITLFile.tlv", "itl_cucm_style"),
                        ("50-record ITL", "itl_50_records")]:
        lines.append(row(label, "trustlist_" + name))

    lines += ["", "**`.sgn` verify** (parse, filename, signer in the ITL, RSA-2048 SHA-1 signature)", "", head, rule]
    for size in ["2KB", "64KB", "1MB"]:
        lines.append(row(size, "sgn_verify_" + size))

    lines += ["", "**`.enc.sgn` verify and decrypt**: the core, the same steps on bare mbedTLS (the floor), and on "
              "OpenSSL; last column: wall time ÷ the core's", "",
              head + " ÷ core |", rule + "---:|"]
    for size in ["2KB", "64KB", "1MB"]:
        lines.append(row(f"{size} core", "encsgn_core_" + size, "encsgn_core_" + size))
        lines.append(row(f"{size} mbedTLS floor", "encsgn_floor_mbedtls_" + size, "encsgn_core_" + size))
        lines.append(row(f"{size} OpenSSL libcrypto", "encsgn_openssl_" + size, "encsgn_core_" + size))

    lines += ["", "**XML into the configuration model**, and libxml2's reader over the same bytes; last column: "
              "wall time ÷ the core's", "", head + " ÷ core |", rule + "---:|"]
    for size in ["2KB", "64KB", "1MB"]:
        lines.append(row(f"{size} core", "xml_core_" + size, "xml_core_" + size))
        lines.append(row(f"{size} libxml2 reader", "xml_libxml2_reader_" + size, "xml_core_" + size))

    lines += ["", "**Loopback against the lab**", "", head, rule]
    for label, name in [("CAPF enrolment, RSA-2048", "capf_enroll_rsa2048"),
                        ("CAPF enrolment, EC P-256", "capf_enroll_ecp256"),
                        ("boot with enrolment (RSA-2048)", "boot_with_enrollment"),
                        ("boot without enrolment", "boot_without_enrollment"),
                        ("boot with enrolment (EC P-256), configuration over HTTPS", "boot_with_ec_enrollment_https"),
                        ("boot over HTTPS without enrolment (EC LSC)", "boot_https_without_enrollment")]:
        lines.append(row(label, name))

    lines += ["", "**The key on a PKCS#11 token (SoftHSM2) beside the key in memory**: the same work, the "
              "phone's private key generated and used in SoftHSM2 (each run loads the module, logs in, and "
              "finalizes it) or held by mbedTLS in the phone's memory", "",
              "| | key in memory ms | key in SoftHSM2 ms | ÷ |", "|---|---:|---:|---:|"]
    for label, name in [("RSA-2048 pair generated (mbedTLS; SoftHSM2: its OpenSSL, the token opened, logged "
                         "into and closed around it)", "keygen_rsa2048"),
                        ("CAPF enrolment, RSA-2048", "capf_enroll_rsa2048"),
                        ("CAPF enrolment, EC P-256", "capf_enroll_ecp256"),
                        ("`phone decrypt` of the served .enc.sgn (its key unwrapped, RSA-2048)", "decrypt_served_config"),
                        ("boot over HTTPS without enrolment (TLS client signature, EC P-256)",
                         "boot_https_without_enrollment"),
                        ("boot with enrolment (RSA-2048)", "boot_with_enrollment")]:
        memory = get(name + ("_memory" if name.startswith("keygen") else ""), "wall")
        token = get(name + "_softhsm", "wall")
        lines.append(f"| {label} | {ms(memory)} | {ms(token)} | {token / memory:.2f} |")

    lines += ["", "**Whole processes: the x86_64 firmware (Embedded Swift, what ships) beside the host release build**, "
              "from exec to exit, measured by `process-probe` (wall, CPU, peak resident set of the process itself). "
              "In-process: the same command through `PhoneProgram.run` in the benchmark process (files, key and "
              "trust list read and parsed each time), the boots as in the loopback rows; warm core: the pipeline "
              "rows above, whose key is parsed once (mbedTLS's per-key precomputation is paid on its first use, "
              "which every process run pays).", "",
              "| | firmware wall ms | firmware CPU ms | firmware peak RSS MiB | host wall ms | host CPU ms "
              "| host peak RSS MiB | in-process ms | warm core ms |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for label, name, in_process, warm in [("verify ITLFile.tlv (first use)", "verify_itl", "program_verify_itl", "trustlist_itl_interop"),
                                          ("verify the signed config (2 KB)", "verify", "program_verify", "sgn_verify_2KB"),
                                          ("decrypt 64 KB", "decrypt_64KB", "program_decrypt_64KB", "encsgn_core_64KB"),
                                          ("decrypt 1 MB", "decrypt_1MB", "program_decrypt_1MB", "encsgn_core_1MB"),
                                          ("boot without enrolment", "boot_without_enrollment", "boot_without_enrollment", None),
                                          ("boot with enrolment (RSA-2048)", "boot_with_enrollment", "boot_with_enrollment", None)]:
        cells = [label]
        for program in ["firmware", "host"]:
            benchmark = f"process_{name}_{program}"
            cells += [ms(get(benchmark, "process_wall")), ms(get(benchmark, "process_cpu")),
                      f"{get(benchmark, 'process_rss') / MiB:.1f}"]
        cells += [ms(get(in_process, "wall")), ms(get(warm, "wall")) if warm else "—"]
        lines.append("| " + " | ".join(cells) + " |")
    if firmware_sizes:
        lines += ["", "Firmware binaries (stripped): " + ", ".join(f"{arch} {size:,} bytes".replace(",", " ")
                                                                for arch, size in firmware_sizes.items()) + "."]

    checks = []
    for size in ["64KB", "1MB"]:
        ratio = get("encsgn_core_" + size, "wall") / get("encsgn_floor_mbedtls_" + size, "wall")
        checks.append((f".enc.sgn {size}: core ÷ mbedTLS floor, wall", "≤ 1.10", f"{ratio:.3f}", ratio <= 1.10))
    counts = [get("encsgn_core_" + size, "mallocs") for size in ["2KB", "64KB", "1MB"]]
    floors = [get("encsgn_floor_mbedtls_" + size, "mallocs") for size in ["2KB", "64KB", "1MB"]]
    own = [core - floor for core, floor in zip(counts, floors)]
    checks.append(("allocations per decrypt, 2 KB / 64 KB / 1 MB (the core's own, above the floor's mbedTLS bignums)",
                   "the same at every size", " / ".join(map(str, counts)) + " (own: " + " / ".join(map(str, own)) + ")",
                   len(set(counts)) == 1 or len(set(own)) == 1))
    heap = get("encsgn_core_1MB", "heap")
    checks.append(("peak heap of a 1 MB decrypt above baseline", "< 1.2 MiB (1 258 291 B)",
                   f"{heap} B ({heap / MiB:.3f} MiB)", heap < 1.2 * MiB))
    ratio = get("xml_core_1MB", "wall") / get("xml_libxml2_reader_1MB", "wall")
    checks.append(("XML 1 MB: core ÷ libxml2 reader, wall", "≤ 1.00", f"{ratio:.3f}", ratio <= 1.0))

    ratio = get("process_decrypt_1MB_firmware", "process_wall") / get("program_decrypt_1MB", "wall")
    checks.append(("firmware `phone decrypt` 1 MB, whole process ÷ the same command in-process, wall", "≤ 1.30",
                   f"{ratio:.3f}", ratio <= 1.30))
    rss = get("process_decrypt_1MB_firmware", "process_rss")
    checks.append(("firmware `phone decrypt` 1 MB, peak RSS", "≤ 5 MiB", f"{rss / MiB:.2f} MiB", rss <= 5 * MiB))
    ratio = get("boot_with_enrollment_softhsm", "wall") / get("boot_with_enrollment", "wall")
    checks.append(("boot with RSA-2048 enrolment: key in SoftHSM2 ÷ key in memory, wall", "≤ 1.50", f"{ratio:.3f}",
                   ratio <= 1.50))
    for arch, size in (firmware_sizes or {}).items():
        checks.append((f"{arch} firmware, stripped", "≤ 400 KiB (409 600 B)", f"{size} B", size <= FIRMWARE_SIZE_LIMIT))

    lines += ["", "**Thresholds**", "", "| check | threshold | measured | |", "|---|---|---|---|"]
    for name, threshold, measured, ok in checks:
        lines.append(f"| {name} | {threshold} | {measured} | {'met' if ok else 'NOT MET'} |")
    return "\n".join(lines) + "\n", all(ok for *_, ok in checks)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("results")
    parser.add_argument("--output", required=True)
    parser.add_argument("--readme")
    parser.add_argument("--firmware", help="the out/ folder of toolchain/build-firmware.sh: sizes are checked")
    arguments = parser.parse_args()
    firmware_sizes = {}
    if arguments.firmware:
        for arch in FIRMWARE_ARCHITECTURES:
            path = os.path.join(arguments.firmware, arch, "phone")
            if not os.path.exists(path):
                raise SystemExit(f"report.py: no firmware binary at {path}")
            firmware_sizes[arch] = os.path.getsize(path)
    medians = read_medians(arguments.results)
    if not medians:
        raise SystemExit(f"report.py: no results in {arguments.results}")
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    table, met = render(medians, when, machine(), firmware_sizes)
    with open(arguments.output, "w") as file:
        file.write(table)
    if arguments.readme:
        markdown_block.replace(arguments.readme, "benchmarks", table)
    print(table)
    if not met:
        print("report.py: a threshold is not met (see the table)", file=sys.stderr)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())

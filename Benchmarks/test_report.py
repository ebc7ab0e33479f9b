#!/usr/bin/env python3
"""Tests of report.py's reading, table and threshold checks, on made-up exports in the
harness's histogramPercentiles format (no benchmark is run)."""

import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import report  # noqa: E402

BENCHMARKS = (["trustlist_" + n for n in ["itl_interop", "itl_interop_per_device", "ctl_interop", "itl_cucm_style",
                                          "itl_50_records"]]
              + [f"{kind}_{size}" for size in ["2KB", "64KB", "1MB"]
                 for kind in ["sgn_verify", "encsgn_core", "encsgn_floor_mbedtls", "encsgn_openssl", "xml_core",
                              "xml_libxml2_reader"]]
              + ["capf_enroll_rsa2048", "capf_enroll_ecp256", "boot_with_enrollment", "boot_without_enrollment",
                 "boot_with_ec_enrollment_https", "boot_https_without_enrollment", "decrypt_served_config"]
              + [name + "_softhsm" for name in ["capf_enroll_rsa2048", "capf_enroll_ecp256", "boot_with_enrollment",
                                                "decrypt_served_config", "boot_https_without_enrollment"]]
              + ["keygen_rsa2048_memory", "keygen_rsa2048_softhsm"]
              + ["program_" + work for work in ["verify_itl", "verify", "decrypt_64KB", "decrypt_1MB"]])
PROCESS_BENCHMARKS = [f"process_{work}_{program}" for program in ["firmware", "host"]
                      for work in ["verify_itl", "verify", "decrypt_64KB", "decrypt_1MB", "boot_without_enrollment",
                                   "boot_with_enrollment"]]
PROCESS_FILES = {"process_wall": ("process_wall_time_(ns)", "process wall time (ns) (#) *"),
                 "process_cpu": ("process_CPU_time_(ns)", "process CPU time (ns) (#) *"),
                 "process_rss": ("process_peak_RSS_(bytes)", "process peak RSS (bytes) (#) *")}
FILES = {"wall": ("wallClock", "Time (wall clock) (ns) *"),
         "cpu": ("thread_CPU_time_(ns)", "thread CPU time (ns) (#) *"),
         "mallocs": ("mallocCountTotal", "Malloc (total) (#) *"),
         "rss": ("peakMemoryResident", "Memory (resident peak) (#) *"),
         "heap": ("peak_heap_above_baseline_(bytes)", "peak heap above baseline (bytes) (#) *")}


def write_run(directory, overrides=None, header_units=None):
    """Every benchmark with 1 ms, 100 mallocs, 4 KiB heap, unless overridden; the median
    (percentile 50) differs from its neighbours so a wrong row would show."""
    overrides = overrides or {}
    runs = [(benchmark, FILES) for benchmark in BENCHMARKS] + [(benchmark, PROCESS_FILES) for benchmark in PROCESS_BENCHMARKS]
    for benchmark, files in runs:
        for metric, (file_metric, header) in files.items():
            median = overrides.get((benchmark, metric), {"wall": 1_000_000, "cpu": 900_000, "mallocs": 100,
                                                         "rss": 30 << 20, "heap": 4096, "process_wall": 1_100_000,
                                                         "process_cpu": 1_000_000, "process_rss": 3 << 20}[metric])
            if header_units and metric in header_units:
                header = header.replace("(#)", f"({header_units[metric][0]})")
                median //= header_units[metric][1]
            name = f"Current_run.PhoneCoreBenchmarks.{benchmark}.{file_metric}.histogram.percentiles.tsv"
            with open(os.path.join(directory, name), "w") as file:
                file.write("Percentile\t" + header + "\n")
                for percentile in range(101):
                    value = median if percentile == 50 else median * 3 if percentile > 50 else 0
                    file.write(f"{percentile}\t{value}\n")


def run(directory, readme=None):
    output = os.path.join(directory, "table.md")
    command = [sys.executable, os.path.join(HERE, "report.py"), directory, "--output", output]
    if readme:
        command += ["--readme", readme]
    completed = subprocess.run(command, capture_output=True, text=True)
    table = open(output).read() if os.path.exists(output) else ""
    return completed.returncode, table, completed.stderr


class ReportTests(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.mkdtemp()

    def test_reads_medians_and_scales_units(self):
        write_run(self.directory, {("xml_core_1MB", "mallocs"): 20_000}, header_units={"mallocs": ("K", 1000)})
        medians = report.read_medians(self.directory)
        self.assertEqual(medians["xml_core_1MB"]["mallocs"], 20_000)
        self.assertEqual(medians["encsgn_core_64KB"]["wall"], 1_000_000)

    def test_all_thresholds_met(self):
        write_run(self.directory, {("xml_libxml2_reader_1MB", "wall"): 1_500_000})
        status, table, _ = run(self.directory)
        self.assertEqual(status, 0)
        self.assertNotIn("NOT MET", table)
        self.assertIn("| XML 1 MB: core ÷ libxml2 reader, wall | ≤ 1.00 | 0.667 | met |", table)

    def test_slow_pipeline_fails_with_the_measured_ratio(self):
        write_run(self.directory, {("encsgn_core_1MB", "wall"): 1_150_000})
        status, table, stderr = run(self.directory)
        self.assertEqual(status, 1)
        self.assertIn("| .enc.sgn 1MB: core ÷ mbedTLS floor, wall | ≤ 1.10 | 1.150 | NOT MET |", table)
        self.assertIn("threshold is not met", stderr)

    def test_token_boot_over_its_bound_fails(self):
        write_run(self.directory, {("boot_with_enrollment", "wall"): 2_000_000,
                                   ("boot_with_enrollment_softhsm", "wall"): 3_100_000})
        status, table, _ = run(self.directory)
        self.assertEqual(status, 1)
        self.assertIn("| boot with RSA-2048 enrolment: key in SoftHSM2 ÷ key in memory, wall | ≤ 1.50 | 1.550 | NOT MET |",
                      table)
        self.assertIn("| boot with enrolment (RSA-2048) | 2.000 | 3.100 | 1.55 |", table)

    def test_allocations_growing_with_size_fail(self):
        write_run(self.directory, {("encsgn_core_1MB", "mallocs"): 164})
        status, table, _ = run(self.directory)
        self.assertEqual(status, 1)
        self.assertIn("100 / 100 / 164 (own: 0 / 0 / 64) | NOT MET", table)

    def test_bignum_noise_in_the_floor_is_not_the_cores(self):
        # mbedTLS's own allocations vary with blinding: both move, the core's own do not.
        write_run(self.directory, {("encsgn_core_1MB", "mallocs"): 104, ("encsgn_floor_mbedtls_1MB", "mallocs"): 104})
        self.assertEqual(run(self.directory)[0], 0)

    def test_peak_heap_over_the_limit_fails(self):
        write_run(self.directory, {("encsgn_core_1MB", "heap"): 2 * 1024 * 1024 + 16})
        status, table, _ = run(self.directory)
        self.assertEqual(status, 1)
        self.assertIn("2097168 B (2.000 MiB) | NOT MET", table)

    def test_xml_slower_than_libxml2_fails(self):
        write_run(self.directory, {("xml_core_1MB", "wall"): 1_200_000})
        self.assertEqual(run(self.directory)[0], 1)

    def test_missing_benchmark_is_named(self):
        write_run(self.directory)
        os.remove(os.path.join(self.directory,
                               "Current_run.PhoneCoreBenchmarks.boot_with_enrollment.wallClock.histogram.percentiles.tsv"))
        status, _, stderr = run(self.directory)
        self.assertNotEqual(status, 0)
        self.assertIn("no wall result for boot_with_enrollment", stderr)

    def test_malformed_export_is_named_with_its_line(self):
        write_run(self.directory)
        name = "Current_run.PhoneCoreBenchmarks.xml_core_1MB.wallClock.histogram.percentiles.tsv"
        with open(os.path.join(self.directory, name), "a") as file:
            file.write("101\tnot a number\n")
        status, _, stderr = run(self.directory)
        self.assertNotEqual(status, 0)
        self.assertIn(name + ":103: not 'percentile<TAB>value'", stderr)

    def test_truncated_export_without_a_median_is_refused(self):
        write_run(self.directory)
        name = "Current_run.PhoneCoreBenchmarks.xml_core_1MB.wallClock.histogram.percentiles.tsv"
        path = os.path.join(self.directory, name)
        with open(path) as file:
            lines = file.readlines()
        with open(path, "w") as file:
            file.writelines(lines[:20])
        status, _, stderr = run(self.directory)
        self.assertNotEqual(status, 0)
        self.assertIn(name + ": no 50th percentile", stderr)

    def test_firmware_decrypt_over_the_process_limits_fails(self):
        write_run(self.directory, {("process_decrypt_1MB_firmware", "process_wall"): 1_400_000,
                                   ("process_decrypt_1MB_firmware", "process_rss"): 6 << 20})
        status, table, _ = run(self.directory)
        self.assertEqual(status, 1)
        self.assertIn("| firmware `phone decrypt` 1 MB, whole process ÷ the same command in-process, wall | ≤ 1.30 | 1.400 "
                      "| NOT MET |", table)
        self.assertIn("| firmware `phone decrypt` 1 MB, peak RSS | ≤ 5 MiB | 6.00 MiB | NOT MET |", table)
        self.assertIn("| decrypt 1 MB | 1.400 | 1.000 | 6.0 | 1.100 | 1.000 | 3.0 | 1.000 | 1.000 |", table)

    def test_firmware_sizes_are_checked(self):
        write_run(self.directory)
        out = os.path.join(self.directory, "out")
        for arch, size in [("x86_64", 380_000), ("aarch64", 330_000), ("armv7", 410_000)]:
            os.makedirs(os.path.join(out, arch))
            with open(os.path.join(out, arch, "phone"), "wb") as file:
                file.write(b"\0" * size)
        output = os.path.join(self.directory, "table.md")
        completed = subprocess.run([sys.executable, os.path.join(HERE, "report.py"), self.directory, "--output", output,
                                    "--firmware", out], capture_output=True, text=True)
        self.assertEqual(completed.returncode, 1)
        table = open(output).read()
        self.assertIn("| armv7 firmware, stripped | ≤ 400 KiB (409 600 B) | 410000 B | NOT MET |", table)
        self.assertIn("| x86_64 firmware, stripped | ≤ 400 KiB (409 600 B) | 380000 B | met |", table)
        missing = subprocess.run([sys.executable, os.path.join(HERE, "report.py"), self.directory, "--output", output,
                                  "--firmware", os.path.join(self.directory, "nowhere")], capture_output=True, text=True)
        self.assertNotEqual(missing.returncode, 0)
        self.assertIn("no firmware binary at", missing.stderr)

    def test_readme_section_replaced_between_markers_only(self):
        write_run(self.directory)
        readme = os.path.join(self.directory, "README.md")
        with open(readme, "w") as file:
            file.write("before\n<!-- benchmarks:begin -->\nold table\n<!-- benchmarks:end -->\nafter\n")
        status, table, _ = run(self.directory, readme)
        self.assertEqual(status, 0)
        text = open(readme).read()
        self.assertTrue(text.startswith("before\n<!-- benchmarks:begin -->\n" + table))
        self.assertTrue(text.endswith("<!-- benchmarks:end -->\nafter\n"))
        self.assertNotIn("old table", text)


if __name__ == "__main__":
    unittest.main()

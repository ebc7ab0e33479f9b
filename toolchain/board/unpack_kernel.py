#!/usr/bin/env python3
"""An armv7 zImage unpacked on the host, for QEMU to load as it is.

Debian's armhf kernel is a zImage: a small decompressor and the kernel's Image, XZ-compressed.
Under TCG the decompressor takes about 1.3 s of every power-on (measured on the armmp-lpae
6.1 kernel). This writes the Image as a legacy U-Boot uImage (no compression) whose load
address and entry point are the virt machine's RAM base plus the kernel's TEXT_OFFSET,
which QEMU's -kernel honours. TEXT_OFFSET is not always 0x8000 (arch/arm/Makefile raises it
for some platforms a multi-platform kernel includes: 0x208000 with ARCH_MESON, as Debian's
armmp-lpae has it), so it is read from the decompressor itself, which computes the Image's
address as `mov r0, pc`, `and r0, r0, #0xf8000000` (the start of RAM), then, a few
instructions on, `add r4, r0, #TEXT_OFFSET`.

Usage: unpack_kernel.py ZIMAGE UIMAGE
Exits 1, writing nothing, when the zImage is not the kind it knows (then the board boots
the zImage itself, only slower).
"""
import lzma
import os
import struct
import sys
import zlib

VIRT_RAM_BASE = 0x40000000  # QEMU's virt machine: RAM starts at 1 GiB (hw/arm/virt.c, VIRT_MEM)
ZIMAGE_MAGIC = 0x016F2818    # at byte 0x24 of every ARM zImage
AND_R0_R0_RAM_MASK = 0xE200033E  # and r0, r0, #0xf8000000
ADD_R4_R0_IMMEDIATE = 0xE2804000  # add r4, r0, #imm (the low 12 bits: the rotated immediate)
XZ_MAGIC = b"\xfd7zXZ\x00"
MAX_IMAGE = 64 * 1024 * 1024


def arm_immediate(word):
    rotation = 2 * ((word >> 8) & 0xF)
    value = word & 0xFF
    return ((value >> rotation) | (value << (32 - rotation))) & 0xFFFFFFFF if rotation else value


def text_offset(zimage):
    """The decompressor's TEXT_OFFSET, or None when its code is not the one expected."""
    words = [struct.unpack_from("<I", zimage, at)[0] for at in range(0, min(len(zimage), 0x10000) - 3, 4)]
    for index, word in enumerate(words):
        if word != AND_R0_R0_RAM_MASK:
            continue
        for following in words[index + 1:index + 33]:
            if following & 0xFFFFF000 == ADD_R4_R0_IMMEDIATE:
                offset = arm_immediate(following)
                return offset if offset % 0x8000 == 0 and offset < 0x1000000 else None
        return None
    return None


def kernel_image(zimage):
    """The Image: the first XZ stream in the zImage that decompresses whole (an earlier match
    of the magic can be a constant in the decompressor's own code)."""
    start = zimage.find(XZ_MAGIC)
    while start >= 0:
        decompressor = lzma.LZMADecompressor(format=lzma.FORMAT_XZ)
        try:
            image = decompressor.decompress(zimage[start:], max_length=MAX_IMAGE)
            if decompressor.eof:
                return image
        except lzma.LZMAError:
            pass
        start = zimage.find(XZ_MAGIC, start + 1)
    return None


def uimage(image, address):
    """A legacy uImage header (64 bytes, big-endian) and the image: Linux, ARM, kernel, no
    compression, time 0 (the same input makes the same file)."""
    def header(header_crc):
        return struct.pack(">7I4B32s", 0x27051956, header_crc, 0, len(image), address, address,
                           zlib.crc32(image), 5, 2, 2, 0, b"Linux (unpacked zImage)")
    return header(zlib.crc32(header(0))) + image


def main():
    if len(sys.argv) != 3:
        print("usage: unpack_kernel.py ZIMAGE UIMAGE", file=sys.stderr)
        return 2
    zimage_path, uimage_path = sys.argv[1:]
    with open(zimage_path, "rb") as source:
        zimage = source.read()
    if len(zimage) < 0x30 or struct.unpack_from("<I", zimage, 0x24)[0] != ZIMAGE_MAGIC:
        print(f"unpack_kernel: {zimage_path} is not an ARM zImage", file=sys.stderr)
        return 1
    offset = text_offset(zimage)
    if offset is None:
        print(f"unpack_kernel: {zimage_path}: the decompressor's TEXT_OFFSET was not found", file=sys.stderr)
        return 1
    image = kernel_image(zimage)
    if image is None:
        print(f"unpack_kernel: {zimage_path}: no XZ-compressed Image in it", file=sys.stderr)
        return 1
    with open(uimage_path + ".new", "wb") as target:
        target.write(uimage(image, VIRT_RAM_BASE + offset))
    os.replace(uimage_path + ".new", uimage_path)
    print(f"kernel unpacked: {len(image)} bytes, loaded at {VIRT_RAM_BASE + offset:#x} (TEXT_OFFSET {offset:#x})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

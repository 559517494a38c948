"""Files for upload tests, made on the spot: real images, a decompression bomb, an SVG with a script."""

import io
import struct
import zlib

from PIL import Image

ORIENTATION, GPS_IFD, MAKE = 0x0112, 0x8825, 0x010F


def png(width=900, height=600, colour=(200, 60, 40), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), colour).save(out, "PNG")
    return out.getvalue()


def jpeg_from_a_phone(width=1600, height=1200, orientation=6) -> bytes:
    """A landscape JPEG whose EXIF says "turn me" (as phones write portraits), with a camera make and a GPS position."""
    image = Image.new("RGB", (width, height), (30, 90, 160))
    image.paste((250, 250, 250), (0, 0, width // 4, height // 4))  # a mark in the top-left corner
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[MAKE] = "PhoneCo"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def gif_with_two_frames() -> bytes:
    first, second = Image.new("RGB", (400, 300), (255, 0, 0)), Image.new("RGB", (400, 300), (0, 0, 255))
    out = io.BytesIO()
    first.save(out, "GIF", save_all=True, append_images=[second], duration=200, loop=0)
    return out.getvalue()


def png_bomb(width=30_000, height=30_000) -> bytes:
    """A small file that claims a huge image: a black bilevel PNG, 900 megapixels, a few hundred KB compressed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
    b'<script>alert(document.cookie)</script><rect width="100" height="100" fill="red"/></svg>'
)

"""Evidence images must come out without any metadata that could identify a pupil.

All inputs are built in memory with Pillow; no binary fixtures.
"""

from __future__ import annotations

import io
import random
import struct
import warnings
import zlib
from typing import Any

import pytest
from PIL import Image, ImageCms, ImageFile
from PIL.PngImagePlugin import PngInfo

from school_safety.reports.evidence import (
    CleanImage,
    EvidenceLimits,
    EvidenceRejected,
    sanitize_image,
)

MAKE = "SpyCam Industries"
MODEL = "Pupil-Phone X42"
GPS_IFD = 0x8825
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" '
    b'dc:creator="Aigerim Secret-Name"/></rdf:RDF></x:xmpmeta>'
)
ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
RED, BLUE = (255, 0, 0), (0, 0, 255)


# --- helpers ---------------------------------------------------------------------------


def encode(image: Image.Image, fmt: str, **options: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def reopen(clean: CleanImage) -> Image.Image:
    image = Image.open(io.BytesIO(clean.data))
    image.load()
    return image


def identifying_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = MAKE
    exif[0x0110] = MODEL
    exif[0x0112] = 6  # rotate 90° clockwise to display
    exif[GPS_IFD] = {1: "N", 2: (43.0, 14.0, 20.2), 3: "E", 4: (76.0, 53.0, 0.0)}
    return exif


def two_halves(size: tuple[int, int] = (64, 32), mode: str = "RGB") -> Image.Image:
    """Red left half, blue right half: shows where orientation put things."""
    image = Image.new(mode, size, BLUE)
    image.paste(Image.new(mode, (size[0] // 2, size[1]), RED), (0, 0))
    return image


def noise(size: tuple[int, int], seed: int = 1) -> Image.Image:
    """Incompressible pixels, so that cutting the file in half really truncates data."""
    return Image.frombytes("RGB", size, random.Random(seed).randbytes(size[0] * size[1] * 3))


def _palette_image() -> Image.Image:
    image = Image.new("P", (4, 4), 1)
    image.putpalette([*RED, *BLUE])
    return image


def jpeg_markers(data: bytes) -> list[int]:
    assert data[:2] == b"\xff\xd8"
    markers, pos = [], 2
    while True:
        assert data[pos] == 0xFF
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            return markers
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        pos += 2 + length


def png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        chunks.append(data[pos + 4 : pos + 8])
        pos += 12 + length
    return chunks


def riff_chunks(data: bytes) -> list[bytes]:
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    chunks, pos = [], 12
    while pos < len(data):
        (length,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        chunks.append(data[pos : pos + 4])
        pos += 8 + length + (length & 1)
    return chunks


def png_with_header(width: int, height: int) -> bytes:
    """A tiny PNG whose IHDR claims ``width`` x ``height`` (valid CRCs, no real pixels)."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload)
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def assert_clean_jpeg(clean: CleanImage) -> None:
    assert clean.content_type == "image/jpeg"
    # SOI, APP0 (JFIF), DQT, SOF0/SOF2, DHT, SOS: no APP1 (EXIF/XMP), APP2 (ICC/MPF),
    # APP13 (IPTC) or COM (comment) segments.
    assert set(jpeg_markers(clean.data)) <= {0xE0, 0xDB, 0xC0, 0xC2, 0xC4, 0xDA}
    assert clean.data.count(b"\xff\xd8") == 1  # no embedded thumbnail or second picture


# --- metadata removal ------------------------------------------------------------------


def test_jpeg_loses_exif_gps_icc_and_comment_but_keeps_orientation() -> None:
    source = encode(
        two_halves((64, 32)),
        "JPEG",
        exif=identifying_exif(),
        comment=b"taken behind school 14",
        icc_profile=ICC,
    )
    with Image.open(io.BytesIO(source)) as original:  # the fixture really carries it all
        assert original.getexif().get_ifd(GPS_IFD)
        assert {"exif", "icc_profile", "comment"} <= original.info.keys()

    clean = sanitize_image(source)

    assert_clean_jpeg(clean)
    with reopen(clean) as out:
        assert out.format == "JPEG"
        assert len(out.getexif()) == 0
        assert out.getexif().get_ifd(GPS_IFD) == {}
        assert not {"exif", "icc_profile", "comment", "xmp"} & out.info.keys()
        # Orientation 6 was applied to the pixels: 64x32 became 32x64, left half on top.
        assert out.size == (clean.width, clean.height) == (32, 64)
        assert _near(out.getpixel((16, 4)), RED)
        assert _near(out.getpixel((16, 60)), BLUE)
    for secret in (b"Exif", MAKE.encode(), MODEL.encode(), b"behind school", b"acsp"):
        assert secret not in clean.data


def test_png_loses_text_xmp_exif_and_icc_but_keeps_transparency() -> None:
    info = PngInfo()
    info.add_text("Author", "Aigerim Secret-Name")
    info.add_text("GPS", "43.238949, 76.889709")
    info.add_text("Comment", "screenshot from my phone", zip=True)
    info.add_itxt("Description", "Мой телефон", lang="ru", tkey="Описание")
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    image = two_halves((40, 20), "RGBA")
    image.putpixel((0, 0), (10, 20, 30, 0))
    image.putpixel((39, 19), (10, 20, 30, 77))
    source = encode(image, "PNG", pnginfo=info, exif=identifying_exif(), icc_profile=ICC)
    with Image.open(io.BytesIO(source)) as original:
        assert {"GPS", "Author", "XML:com.adobe.xmp", "icc_profile"} <= original.info.keys()

    clean = sanitize_image(source)

    assert clean.content_type == "image/png"
    assert set(png_chunks(clean.data)) <= {b"IHDR", b"IDAT", b"IEND"}
    with reopen(clean) as out:
        assert out.format == "PNG"
        assert out.info == {}
        assert len(out.getexif()) == 0
        assert out.mode == "RGBA"
        # PNG has no orientation tag of its own; the EXIF one is honoured as for JPEG.
        assert out.size == (clean.width, clean.height) == (20, 40)
        assert out.getpixel((19, 0)) == (10, 20, 30, 0)
        assert out.getpixel((0, 39)) == (10, 20, 30, 77)
    for secret in (b"Secret-Name", b"43.238949", b"xmpmeta", b"tEXt", b"iTXt", b"zTXt"):
        assert secret not in clean.data


def test_webp_loses_exif_xmp_and_icc() -> None:
    exif = identifying_exif()
    exif[0x0112] = 1
    source = encode(two_halves((48, 24)), "WEBP", exif=exif, xmp=XMP, icc_profile=ICC)
    with Image.open(io.BytesIO(source)) as original:
        assert {"exif", "xmp", "icc_profile"} <= original.info.keys()

    clean = sanitize_image(source)

    assert clean.content_type == "image/webp"
    assert not {b"EXIF", b"XMP ", b"ICCP"} & set(riff_chunks(clean.data))
    with reopen(clean) as out:
        assert out.format == "WEBP"
        assert not {"exif", "xmp", "icc_profile"} & out.info.keys()
        assert len(out.getexif()) == 0
        assert out.size == (48, 24)
    for secret in (b"Exif", MAKE.encode(), b"Secret-Name", b"acsp"):
        assert secret not in clean.data


def test_multi_picture_jpeg_keeps_only_the_primary_picture() -> None:
    second = Image.new("RGB", (30, 20), BLUE)
    source = encode(Image.new("RGB", (30, 20), RED), "MPO", save_all=True, append_images=[second])

    clean = sanitize_image(source)

    assert_clean_jpeg(clean)
    with reopen(clean) as out:
        assert out.format == "JPEG"
        assert _near(out.getpixel((15, 10)), RED)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_animation_keeps_first_frame_only(fmt: str) -> None:
    frames = [Image.new("RGB", (20, 20), colour) for colour in (RED, BLUE, (0, 255, 0))]
    source = encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100)
    with Image.open(io.BytesIO(source)) as original:
        assert getattr(original, "n_frames", 1) == 3

    with reopen(sanitize_image(source)) as out:
        assert getattr(out, "n_frames", 1) == 1
        assert _near(out.convert("RGB").getpixel((10, 10)), RED)


# --- modes -----------------------------------------------------------------------------


def test_cmyk_jpeg_becomes_rgb() -> None:
    source = encode(Image.new("CMYK", (16, 8), (0, 255, 255, 0)), "JPEG")

    clean = sanitize_image(source)

    assert_clean_jpeg(clean)
    with reopen(clean) as out:
        assert out.mode == "RGB"
        assert _near(out.getpixel((8, 4)), RED)


def test_palette_png_with_transparency_becomes_rgba() -> None:
    image = Image.new("P", (8, 8), 0)
    image.putpalette([*RED, *BLUE] + [0] * (254 * 3))
    image.paste(1, (4, 0, 8, 8))
    source = encode(image, "PNG", transparency=bytes([0, 128]))

    with reopen(sanitize_image(source)) as out:
        assert out.mode == "RGBA"
        assert out.getpixel((0, 0)) == (*RED, 0)
        assert out.getpixel((7, 7)) == (*BLUE, 128)


@pytest.mark.parametrize(
    ("image", "mode", "pixel"),
    [
        (Image.new("LA", (4, 4), (200, 50)), "RGBA", (200, 200, 200, 50)),
        (Image.new("L", (4, 4), 90), "RGB", (90, 90, 90)),
        (Image.new("1", (4, 4), 1), "RGB", (255, 255, 255)),
        (_palette_image(), "RGB", BLUE),
        (Image.new("I;16", (4, 4), 0x8000), "RGB", (128, 128, 128)),
        (Image.new("RGB", (4, 4), RED), "RGB", RED),
    ],
    ids=["LA", "L", "1", "P", "I;16", "RGB"],
)
def test_png_modes_are_normalised(image: Image.Image, mode: str, pixel: tuple[int, ...]) -> None:
    with reopen(sanitize_image(encode(image, "PNG"))) as out:
        assert out.mode == mode
        assert out.getpixel((2, 2)) == pixel


def test_png_grey_with_transparent_colour_becomes_rgba() -> None:
    image = Image.new("L", (4, 4), 0)
    image.putpixel((0, 0), 255)
    with reopen(sanitize_image(encode(image, "PNG", transparency=0))) as out:
        assert out.mode == "RGBA"
        assert out.getpixel((0, 0)) == (255, 255, 255, 255)
        assert out.getpixel((3, 3)) == (0, 0, 0, 0)


# --- size limits -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_large_image_is_downscaled_keeping_aspect_ratio(fmt: str) -> None:
    source = encode(two_halves((5120, 1280)), fmt)

    clean = sanitize_image(source)

    assert (clean.width, clean.height) == (2560, 640)
    with reopen(clean) as out:
        assert out.size == (2560, 640)


def test_downscale_uses_longer_side_after_orientation() -> None:
    # Large enough for libjpeg's reduced-scale decoding (draft) to kick in.
    exif = Image.Exif()
    exif[0x0112] = 8  # rotate 90° counter-clockwise to display
    source = encode(two_halves((1800, 600)), "JPEG", exif=exif)

    clean = sanitize_image(source, EvidenceLimits(max_side=300))

    assert (clean.width, clean.height) == (100, 300)
    with reopen(clean) as out:
        assert _near(out.getpixel((50, 10)), BLUE)
        assert _near(out.getpixel((50, 290)), RED)


def test_small_image_is_not_upscaled() -> None:
    clean = sanitize_image(encode(Image.new("RGB", (30, 10)), "PNG"))
    assert (clean.width, clean.height) == (30, 10)


def test_over_max_bytes_is_too_large() -> None:
    source = encode(noise((64, 64)), "PNG")
    assert sanitize_image(source, EvidenceLimits(max_bytes=len(source)))
    with pytest.raises(EvidenceRejected) as caught:
        sanitize_image(source, EvidenceLimits(max_bytes=len(source) - 1))
    assert caught.value.reason == "too_large"


def test_pixel_limit_is_checked() -> None:
    source = encode(Image.new("RGB", (100, 100)), "JPEG")
    assert sanitize_image(source, EvidenceLimits(max_pixels=10_000))
    with pytest.raises(EvidenceRejected) as caught:
        sanitize_image(source, EvidenceLimits(max_pixels=9_999))
    assert caught.value.reason == "too_many_pixels"


@pytest.mark.parametrize(
    "size",
    [
        (6300, 6300),  # above our 16 MP, below Pillow's own limit
        (8000, 6000),
        (30000, 30000),  # Pillow raises DecompressionBombError by itself
    ],
)
def test_header_claiming_huge_dimensions_is_rejected_without_decoding(
    size: tuple[int, int],
) -> None:
    source = png_with_header(*size)
    assert len(source) < 200
    with pytest.raises(EvidenceRejected) as caught:
        sanitize_image(source)
    assert caught.value.reason == "too_many_pixels"


@pytest.mark.parametrize("action", ["error", "ignore"])
def test_pillow_decompression_bomb_warning_is_a_rejection(action: Any) -> None:
    # 10000 x 10000 lies between Pillow's warning and error thresholds.
    with warnings.catch_warnings():
        warnings.simplefilter(action, Image.DecompressionBombWarning)
        with pytest.raises(EvidenceRejected) as caught:
            sanitize_image(png_with_header(10000, 10000))
    assert caught.value.reason == "too_many_pixels"


# --- rejected input --------------------------------------------------------------------


def _rejection(data: bytes) -> str:
    with pytest.raises(EvidenceRejected) as caught:
        sanitize_image(data)
    assert isinstance(caught.value, ValueError)
    return caught.value.reason


@pytest.mark.parametrize(
    "data",
    [
        encode(Image.new("RGB", (8, 8)), "GIF"),
        encode(Image.new("RGB", (8, 8)), "BMP"),
        encode(Image.new("RGB", (8, 8)), "TIFF"),
        encode(Image.new("RGB", (8, 8)), "ICO"),
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
        b"Hello, this is not a picture at all.",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">'
        b'<rect width="8" height="8" fill="red"/></svg>',
        b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64,
        b"\x00",
    ],
    ids=["gif", "bmp", "tiff", "ico", "pdf", "text", "svg", "heic", "one-byte"],
)
def test_unsupported_types_are_rejected(data: bytes) -> None:
    assert _rejection(data) == "type"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_truncated_image_is_broken(fmt: str) -> None:
    source = encode(noise((64, 64)), fmt)
    assert _rejection(source[: len(source) // 2]) == "broken"


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF\x00\x00\x00\x00WEBPVP8 "],
    ids=["empty", "jpeg-magic", "png-magic", "webp-magic"],
)
def test_empty_or_header_only_is_broken(data: bytes) -> None:
    assert _rejection(data) == "broken"


def test_truncated_images_are_never_silently_padded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(RuntimeError, match="LOAD_TRUNCATED_IMAGES"):
        sanitize_image(encode(Image.new("RGB", (8, 8)), "PNG"))


def test_rejection_reason_is_exposed() -> None:
    error = EvidenceRejected("type")
    assert error.reason == "type"
    assert isinstance(error, ValueError)


# --- fuzzing ---------------------------------------------------------------------------


def _mutate(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        pos = rng.randrange(len(buf))
        match rng.randrange(5):
            case 0:
                buf[pos] = rng.randrange(256)
            case 1:
                buf[pos] ^= 1 << rng.randrange(8)
            case 2:
                del buf[pos : pos + rng.randint(1, 64)]
            case 3:
                buf[pos:pos] = rng.randbytes(rng.randint(1, 64))
            case _:
                buf[pos : pos + 2] = b"\xff" * 2  # JPEG markers / huge lengths
        if not buf:
            break
    if buf.startswith(b"\x89PNG") and rng.random() < 0.5:
        _fix_png_crcs(buf)  # otherwise the CRC check stops nearly every mutation early
    return bytes(buf)


def _fix_png_crcs(buf: bytearray) -> None:
    pos = 8
    while pos + 12 <= len(buf):
        (length,) = struct.unpack(">I", buf[pos : pos + 4])
        end = pos + 8 + length
        if end + 4 > len(buf):
            return
        buf[end : end + 4] = struct.pack(">I", zlib.crc32(buf[pos + 4 : end]))
        pos = end + 4


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_random_mutations_only_ever_raise_evidence_rejected(fmt: str) -> None:
    info = PngInfo()
    info.add_text("Author", "someone")
    source = encode(
        two_halves((24, 16)),
        fmt,
        exif=identifying_exif(),
        icc_profile=ICC,
        **({"pnginfo": info} if fmt == "PNG" else {"comment": b"hi"}),
    )
    rng = random.Random(f"evidence-{fmt}")
    outcomes: dict[str, int] = {}
    for _ in range(300):
        mutated = _mutate(source, rng)
        try:
            clean = sanitize_image(mutated)
        except EvidenceRejected as rejected:
            outcomes[rejected.reason] = outcomes.get(rejected.reason, 0) + 1
        else:
            outcomes["ok"] = outcomes.get("ok", 0) + 1
            assert b"Exif" not in clean.data
            assert MAKE.encode() not in clean.data
    # Both the rejection paths and the re-encoding path were exercised.
    assert outcomes.get("ok") and outcomes.get("broken"), outcomes


def _near(actual: Any, expected: tuple[int, ...], tolerance: int = 40) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=False))

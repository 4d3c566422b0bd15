"""Sanitising of image evidence uploaded by pupils.

Screenshots and photos can betray who took them (GPS position, camera serial,
device name, editing software, comments, thumbnails of the uncropped
original...).  Rather than stripping known metadata, we decode the pixels and
encode a brand-new file from them, so nothing we did not think of can survive.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Literal

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

RejectionReason = Literal["type", "too_large", "broken", "too_many_pixels"]


@dataclass(frozen=True)
class EvidenceLimits:
    max_bytes: int = 8 * 1024 * 1024  # upload size
    # Checked from the header, before decoding. Checking a picture takes about
    # 12 bytes of memory a pixel (measured: 39.7 MP, 390 MB); 16 megapixels let
    # 12 and 16 MP phone photos through (4032 x 3024, 4608 x 3456) and hold one
    # picture to about 200 MB.
    max_pixels: int = 16_000_000
    max_side: int = 2560  # longer side after re-encoding; larger images are downscaled


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str  # "image/jpeg" | "image/png" | "image/webp"
    width: int
    height: int


class EvidenceRejected(ValueError):
    def __init__(self, reason: RejectionReason) -> None:
        super().__init__(reason)
        self.reason: RejectionReason = reason


# Pillow format name -> (content type, encoder options).
_OUTPUT: dict[str, tuple[str, dict[str, Any]]] = {
    "JPEG": ("image/jpeg", {"quality": 85, "optimize": True}),
    "PNG": ("image/png", {}),
    "WEBP": ("image/webp", {"quality": 85}),
}


def sanitize_image(data: bytes, limits: EvidenceLimits = EvidenceLimits()) -> CleanImage:
    """Return a metadata-free re-encoding of ``data`` or raise EvidenceRejected."""
    if not data:
        raise EvidenceRejected("broken")
    if len(data) > limits.max_bytes:
        raise EvidenceRejected("too_large")
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # The flag is process-wide; with it Pillow silently pads truncated files
        # with grey instead of failing, so refuse loudly rather than store that.
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay False")
    try:
        return _reencode(data, limits)
    except EvidenceRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # The warning only arrives here as an exception when warnings are errors.
        raise EvidenceRejected("too_many_pixels") from exc
    except Exception as exc:
        # Hostile bytes make Pillow's decoders raise all sorts of exception
        # types (OSError, SyntaxError, struct.error, IndexError, warnings...).
        raise EvidenceRejected("broken") from exc


def _reencode(data: bytes, limits: EvidenceLimits) -> CleanImage:
    try:
        # Restricting the plugins keeps parsers for other formats away from
        # untrusted input and makes the content, not a file name, decide.
        source = Image.open(io.BytesIO(data), formats=tuple(_OUTPUT))
    except UnidentifiedImageError:
        raise EvidenceRejected("broken" if _has_supported_magic(data) else "type") from None
    with source:
        # Phones often write multi-picture JPEGs, which Pillow calls "MPO".
        fmt = "JPEG" if source.format == "MPO" else source.format
        if fmt not in _OUTPUT:
            raise EvidenceRejected("type")
        if source.width * source.height > limits.max_pixels:
            raise EvidenceRejected("too_many_pixels")
        if fmt == "JPEG":
            # Let libjpeg decode at a reduced scale when the result is
            # downscaled anyway; it is never smaller than max_side.
            source.draft(None, (limits.max_side, limits.max_side))
        source.load()  # only the first frame of animations
        upright = ImageOps.exif_transpose(source)

    pixels = _rgb_or_rgba(upright)
    pixels.thumbnail((limits.max_side, limits.max_side), Image.Resampling.LANCZOS)
    # A fresh image has an empty ``info``, so the encoder has nothing to copy.
    clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())

    content_type, options = _OUTPUT[fmt]
    out = io.BytesIO()
    clean.save(out, fmt, **options)
    return CleanImage(out.getvalue(), content_type, clean.width, clean.height)


def _rgb_or_rgba(image: Image.Image) -> Image.Image:
    if image.mode.startswith("I"):
        # 16-bit greyscale: a plain convert would clip everything above 255 to white.
        image = image.convert("I").point(lambda v: v / 256, "L")
        image.info.pop("transparency", None)  # a 16-bit value, meaningless now
    if image.has_transparency_data:  # never true for JPEG
        return image.convert("RGBA")
    return image.convert("RGB")


def _has_supported_magic(data: bytes) -> bool:
    return data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")) or (
        data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    )

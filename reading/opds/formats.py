"""Media types of the library's file formats, as OPDS acquisition links announce them."""

from __future__ import annotations

MEDIA_TYPES = {
    "epub": "application/epub+zip",
    "kepub": "application/kepub+zip",
    "pdf": "application/pdf",
    "mobi": "application/x-mobipocket-ebook",
    "azw": "application/vnd.amazon.ebook",
    "azw3": "application/vnd.amazon.ebook",
    "fb2": "application/x-fictionbook+xml",
    "djvu": "image/vnd.djvu",
    "txt": "text/plain",
    "rtf": "application/rtf",
    "cbz": "application/vnd.comicbook+zip",
    "cbr": "application/vnd.comicbook-rar",
    "cb7": "application/x-cb7",
    "cbt": "application/x-cbt",
    "m4b": "audio/mp4",
    "m4a": "audio/mp4",
    "mp3": "audio/mpeg",
    "ogg": "audio/ogg",
    "opus": "audio/ogg",
    "flac": "audio/flac",
    "aac": "audio/aac",
    "wav": "audio/wav",
}
FALLBACK = "application/octet-stream"


def media_type(fmt: str) -> str:
    return MEDIA_TYPES.get(fmt.lower(), FALLBACK)

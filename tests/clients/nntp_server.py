"""A small news server for tests: NNTP (RFC 3977, AUTHINFO from RFC 4643) on 127.0.0.1
serving yEnc-encoded (yEnc 1.3, multi-part) articles of real files, plus the matching .nzb.

It answers what a downloader such as NZBGet sends: CAPABILITIES, MODE READER, AUTHINFO
USER/PASS, GROUP, ARTICLE/BODY/HEAD/STAT <message-id>, DATE, QUIT. An article it does not
hold is a 430, which is how a real server tells that a post has expired. A post can be made
slow (each of its articles held back for some seconds) to catch its download while it runs."""

from __future__ import annotations

import socketserver
import threading
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

GROUP = "alt.binaries.ebook"
LINE_LENGTH = 128
_CRITICAL = {0, 10, 13, 61}  # NUL, LF, CR, '=' are escaped; so are TAB/space at a line's ends, '.' first


def yenc_lines(data: bytes) -> list[bytes]:
    """yEnc body lines: each byte + 42 (mod 256), critical ones escaped as '=' + (byte + 64)."""
    lines, line = [], bytearray()
    for byte in data:
        encoded = (byte + 42) % 256
        at_edge = not line or len(line) >= LINE_LENGTH - 1
        if encoded in _CRITICAL or (encoded in (9, 32) and at_edge) or (encoded == 46 and not line):
            line += bytes((61, (encoded + 64) % 256))
        else:
            line.append(encoded)
        if len(line) >= LINE_LENGTH:
            lines.append(bytes(line))
            line = bytearray()
    if line:
        if line[-1] in (9, 32):  # a trailing space or tab would be stripped in transit
            line[-1:] = bytes((61, (line[-1] + 64) % 256))
        lines.append(bytes(line))
    return lines


@dataclass(frozen=True)
class Article:
    message_id: str  # without the angle brackets
    subject: str
    body: bytes  # the encoded body, CRLF line ends, not dot-stuffed
    size: int  # bytes of the encoded body, as an .nzb's <segment bytes=...>


def yenc_articles(name: str, data: bytes, *, part_size: int, prefix: str) -> list[Article]:
    """The articles of one file posted in parts of `part_size` bytes."""
    parts = [data[i : i + part_size] for i in range(0, len(data), part_size)] or [b""]
    total, crc = len(parts), zlib.crc32(data)
    articles = []
    for number, chunk in enumerate(parts, start=1):
        begin = (number - 1) * part_size + 1
        head = [
            f"=ybegin part={number} total={total} line={LINE_LENGTH} size={len(data)} name={name}".encode(),
            f"=ypart begin={begin} end={begin + len(chunk) - 1}".encode(),
        ]
        tail = f"=yend size={len(chunk)} part={number} pcrc32={zlib.crc32(chunk):08x} crc32={crc:08x}"
        body = b"\r\n".join([*head, *yenc_lines(chunk), tail.encode()]) + b"\r\n"
        subject = f'"{name}" yEnc ({number}/{total})'
        articles.append(Article(f"{prefix}.{number}@test.example", subject, body, len(body)))
    return articles


def nzb_document(files: list[tuple[str, list[Article]]], *, poster: str = "tests@example.org") -> bytes:
    """An NZB 1.1 document listing the articles of each file."""
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<!DOCTYPE nzb PUBLIC "-//newzBin//DTD NZB 1.1//EN" "http://www.newzbin.com/DTD/nzb/nzb-1.1.dtd">',
        '<nzb xmlns="http://www.newzbin.com/DTD/2003/nzb">',
    ]
    for _name, articles in files:
        out.append(f' <file poster={quoteattr(poster)} date="1700000000" subject={quoteattr(articles[0].subject)}>')
        out.append(f"  <groups><group>{GROUP}</group></groups>")
        out.append("  <segments>")
        for number, article in enumerate(articles, start=1):
            out.append(f'   <segment bytes="{article.size}" number="{number}">{escape(article.message_id)}</segment>')
        out.append("  </segments>")
        out.append(" </file>")
    out.append("</nzb>")
    return ("\n".join(out) + "\n").encode()


@dataclass
class NewsServer:
    """The server; `post` a file to get its .nzb. `requests` records every command line."""

    username: str = "reader"
    password: str = "news-test-password"
    articles: dict[str, Article] = field(default_factory=dict)
    delays: dict[str, float] = field(default_factory=dict)  # message-id -> seconds held back
    requests: list[str] = field(default_factory=list)
    _server: socketserver.ThreadingTCPServer | None = None
    _counter: int = 0

    def post(
        self, name: str, data: bytes, *, part_size: int = 20_000, drop_parts: tuple[int, ...] = (), delay: float = 0.0
    ) -> bytes:
        """Holds the articles of `data` (minus the part numbers in `drop_parts`, which a
        downloader will then miss; each sent `delay` seconds late) and returns the .nzb
        describing all of them."""
        self._counter += 1
        prefix = f"part{self._counter}.{time.monotonic_ns()}"
        articles = yenc_articles(name, data, part_size=part_size, prefix=prefix)
        for number, article in enumerate(articles, start=1):
            if number not in drop_parts:
                self.articles[article.message_id] = article
                self.delays[article.message_id] = delay
        return nzb_document([(name, articles)])

    def post_file(self, path: Path, **kwargs) -> bytes:
        return self.post(path.name, path.read_bytes(), **kwargs)

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    def start(self) -> NewsServer:
        handler = type("Handler", (_NntpHandler,), {"news": self})
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


class _NntpHandler(socketserver.StreamRequestHandler):
    news: NewsServer

    def handle(self) -> None:
        self.user, self.authenticated = "", False
        self.send("200 omnireadarr test news server ready (posting prohibited)")
        while line := self.rfile.readline():
            command = line.decode("utf-8", "replace").strip()
            self.news.requests.append(command)
            verb, _, argument = command.partition(" ")
            if not self.dispatch(verb.upper(), argument.strip()):
                return

    def send(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def dispatch(self, verb: str, argument: str) -> bool:
        if verb == "QUIT":
            self.send("205 bye")
            return False
        if verb == "CAPABILITIES":
            self.send_block("101 capability list follows", b"VERSION 2\r\nREADER\r\nAUTHINFO USER\r\n")
        elif verb == "MODE":
            self.send("201 reader mode, posting prohibited")
        elif verb == "AUTHINFO":
            self.authinfo(argument)
        elif verb == "DATE":
            self.send("111 " + time.strftime("%Y%m%d%H%M%S", time.gmtime()))
        elif not self.authenticated:
            self.send("480 authentication required")
        elif verb == "GROUP":
            self.send(f"211 {len(self.news.articles)} 1 {max(1, len(self.news.articles))} {argument}")
        elif verb in ("ARTICLE", "BODY", "HEAD", "STAT"):
            self.article(verb, argument)
        else:
            self.send("500 unknown command")
        return True

    def authinfo(self, argument: str) -> None:
        kind, _, value = argument.partition(" ")
        if kind.upper() == "USER":
            self.user = value
            self.send("381 password required")
        elif kind.upper() == "PASS" and self.user == self.news.username and value == self.news.password:
            self.authenticated = True
            self.send("281 authentication accepted")
        else:
            self.send("481 authentication failed")

    def article(self, verb: str, argument: str) -> None:
        message_id = argument.strip("<>")
        found = self.news.articles.get(message_id)
        if found is None:
            self.send("430 no article with that message-id")
            return
        time.sleep(self.news.delays.get(message_id, 0.0))
        lines = found.body.count(b"\n")
        head = (
            f"From: tests@example.org\r\nNewsgroups: {GROUP}\r\nSubject: {found.subject}\r\n"
            f"Message-ID: <{message_id}>\r\nLines: {lines}\r\n"
        ).encode()
        codes = {"ARTICLE": (220, head + b"\r\n" + found.body), "BODY": (222, found.body), "HEAD": (221, head)}
        if verb == "STAT":
            self.send(f"223 0 <{message_id}>")
            return
        code, payload = codes[verb]
        self.send_block(f"{code} 0 <{message_id}>", payload)

    def send_block(self, status: str, payload: bytes) -> None:
        """A multi-line reply: lines starting with '.' are dot-stuffed, ended by '.'."""
        lines = payload.split(b"\r\n")
        if lines and lines[-1] == b"":
            lines.pop()
        stuffed = b"".join((b"." + line if line.startswith(b".") else line) + b"\r\n" for line in lines)
        self.wfile.write(status.encode() + b"\r\n" + stuffed + b".\r\n")

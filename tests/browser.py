"""Headless Chromium for the tests, driven over the DevTools protocol through a pipe.

Chromium is Debian's `chromium` package, started here with a new empty profile and
`--remote-debugging-pipe`: it reads protocol messages (JSON, each ended by a NUL byte) from
its file descriptor 3 and writes replies and events to descriptor 4. No port, no websocket
client, nothing but the standard library. A small Python trampoline moves our pipe ends onto
descriptors 3 and 4 and then executes Chromium (the Debian launcher is a shell script that
`exec`s the browser, so the descriptors reach it).

    with Chromium() as browser:
        page = browser.new_page(width=1280, height=900)
        page.goto("http://127.0.0.1:8000/index.html")
        title = page.evaluate("document.title")
        png = page.screenshot()

Every page keeps the protocol events of its session (`page.events("Network.requestWillBeSent")`),
so a test can check what the page asked for and what it logged.

`png_pixels` decodes the PNG files Chromium writes (8-bit RGB or RGBA, not interlaced), to
check that a screenshot shows something.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path

INSTALL_COMMAND = "apt-get install -y chromium"
COMMAND_TIMEOUT = 20.0   # seconds for one protocol command
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    # Without these Chromium opens connections of its own, which a closed network refuses.
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-proxy-server", "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
    "--remote-debugging-pipe",
]
# Runs in the child: our pipe ends become descriptors 3 (commands in) and 4 (replies out).
# They are first moved above 4, so that an end already numbered 3 or 4 is not overwritten.
TRAMPOLINE = (
    "import fcntl, os, sys\n"
    "given = [int(fd) for fd in sys.argv[1:3]]\n"
    "moved = [fcntl.fcntl(fd, fcntl.F_DUPFD, 5) for fd in given]\n"
    "for fd in given: os.close(fd)\n"
    "os.dup2(moved[0], 3)\n"
    "os.dup2(moved[1], 4)\n"
    "for fd in moved: os.close(fd)\n"
    "os.execv(sys.argv[3], sys.argv[3:])\n"
)


class BrowserError(Exception):
    """Chromium is missing, died, or answered a command with an error."""


def chromium_path() -> str:
    """The `chromium` command, or BrowserError saying how to install it."""
    path = shutil.which("chromium")
    if path is None:
        raise BrowserError(
            "Chromium is not installed, and the browser tests need it: install Debian's package "
            f"with `{INSTALL_COMMAND}` (as root; `.ci/run` does this before the tests).")
    return path


class Chromium:
    """One headless Chromium process and its DevTools pipe; a context manager."""

    def __init__(self, command: str | None = None):
        self.command = command or chromium_path()
        self._lock = threading.Condition()
        self._replies: dict[int, dict] = {}
        self._events: list[dict] = []
        self._next_id = 0
        self._closed = False
        self._folder = Path(tempfile.mkdtemp(prefix="etl-chromium-"))
        self._log = (self._folder / "chromium.log").open("wb")
        commands_in, self._commands = os.pipe()
        self._replies_from, replies_out = os.pipe()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", TRAMPOLINE, str(commands_in), str(replies_out), self.command,
                 *FLAGS, f"--user-data-dir={self._folder / 'profile'}", "about:blank"],
                pass_fds=(commands_in, replies_out), stdin=subprocess.DEVNULL, stdout=self._log,
                stderr=subprocess.STDOUT)
        except BaseException:
            for fd in (self._commands, self._replies_from):
                os.close(fd)
            self._cleanup()
            raise
        finally:
            os.close(commands_in)
            os.close(replies_out)
        self._reader = threading.Thread(target=self._read, name="chromium-pipe", daemon=True)
        self._reader.start()
        try:
            self.version = self.send("Browser.getVersion")["product"]
        except BaseException:
            self.close()
            raise

    # The pipe --------------------------------------------------------------------------

    def _read(self) -> None:
        """Sort what Chromium writes into replies (by id) and events, until the pipe closes."""
        pending = b""
        while chunk := os.read(self._replies_from, 1 << 16):
            pending += chunk
            *messages, pending = pending.split(b"\0")
            with self._lock:
                for raw in messages:
                    message = json.loads(raw)
                    if "id" in message:
                        self._replies[message["id"]] = message
                    else:
                        self._events.append(message)
                self._lock.notify_all()
        with self._lock:
            self._closed = True
            self._lock.notify_all()

    def send(self, method: str, session: str | None = None, timeout: float = COMMAND_TIMEOUT, **params) -> dict:
        """Send one command and wait for its result."""
        with self._lock:
            self._next_id += 1
            ident = self._next_id
        message = {"id": ident, "method": method, "params": params, **({"sessionId": session} if session else {})}
        try:
            os.write(self._commands, json.dumps(message).encode("utf-8") + b"\0")
        except OSError as err:
            raise BrowserError(f"{method}: Chromium is not listening ({err}).{self._log_tail()}") from None
        deadline = time.monotonic() + timeout
        with self._lock:
            while ident not in self._replies:
                left = deadline - time.monotonic()
                if self._closed or left <= 0:
                    why = "Chromium exited" if self._closed else f"no answer in {timeout:g} s"
                    raise BrowserError(f"{method}: {why}.{self._log_tail()}")
                self._lock.wait(left)
            reply = self._replies.pop(ident)
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error'].get('message')} {reply['error'].get('data', '')}".rstrip())
        return reply["result"]

    def events(self, session: str | None = None, method: str | None = None, start: int = 0) -> list[dict]:
        """The events received so far (from the `start`-th on), of one session and method if given."""
        with self._lock:
            seen = self._events[start:]
        return [e for e in seen if (session is None or e.get("sessionId") == session)
                and (method is None or e["method"] == method)]

    def event_count(self) -> int:
        with self._lock:
            return len(self._events)

    def wait_for(self, session: str, method: str, start: int, timeout: float = COMMAND_TIMEOUT) -> dict:
        """The first event `method` of `session` received after the `start`-th event."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [e for e in self._events[start:] if e.get("sessionId") == session and e["method"] == method]
                if found:
                    return found[0]
                left = deadline - time.monotonic()
                if self._closed or left <= 0:
                    why = "Chromium exited" if self._closed else f"not received in {timeout:g} s"
                    raise BrowserError(f"{method}: {why}.{self._log_tail()}")
                self._lock.wait(left)

    def _log_tail(self, lines: int = 15) -> str:
        try:
            text = (self._folder / "chromium.log").read_text("utf-8", "replace")
        except OSError:
            return ""
        # D-Bus is absent on a build machine; its complaints say nothing about the failure.
        wanted = [line for line in text.splitlines() if "dbus" not in line.lower()][-lines:]
        return ("\nChromium's last lines:\n" + "\n".join(wanted)) if wanted else ""

    # Pages ---------------------------------------------------------------------------------

    def new_page(self, width: int = 1280, height: int = 900) -> Page:
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        page = Page(self, target, session)
        for domain in ("Page", "Runtime", "Network", "Log"):
            page.send(f"{domain}.enable")
        page.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)
        return page

    # Ending ------------------------------------------------------------------------------

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                self.send("Browser.close", timeout=10)
            except BrowserError:
                pass
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._reader.join(10)
        for fd in (self._commands, self._replies_from):
            try:
                os.close(fd)
            except OSError:
                pass
        self._cleanup()

    def _cleanup(self) -> None:
        self._log.close()
        shutil.rmtree(self._folder, ignore_errors=True)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Page:
    """One tab, attached in its own protocol session."""

    def __init__(self, browser: Chromium, target: str, session: str):
        self.browser, self.target, self.session = browser, target, session

    def send(self, method: str, **params) -> dict:
        return self.browser.send(method, session=self.session, **params)

    def events(self, method: str | None = None) -> list[dict]:
        return self.browser.events(self.session, method)

    def goto(self, url: str, timeout: float = COMMAND_TIMEOUT) -> None:
        """Navigate and wait for the load event (the page and its eager resources)."""
        start = self.browser.event_count()
        result = self.send("Page.navigate", url=url)
        if result.get("errorText"):
            raise BrowserError(f"{url}: {result['errorText']}")
        self.browser.wait_for(self.session, "Page.loadEventFired", start, timeout)

    def wait_for_network_idle(self, quiet: float = 0.5, timeout: float = COMMAND_TIMEOUT) -> None:
        """Wait until no request of the page has been open or begun for `quiet` seconds (requests
        a browser makes after the load event, like the site icon, are then in the events)."""
        deadline = time.monotonic() + timeout
        while True:
            count = self.browser.event_count()
            started = {e["params"]["requestId"] for e in self.events("Network.requestWillBeSent")}
            ended = {e["params"]["requestId"] for e in self.events()
                     if e["method"] in ("Network.loadingFinished", "Network.loadingFailed")}
            if started <= ended:
                time.sleep(quiet)
                if self.browser.event_count() == count:
                    return
            else:
                time.sleep(0.05)
            if time.monotonic() > deadline:
                raise BrowserError(f"the page was still busy after {timeout:g} s "
                                   f"(requests open: {sorted(started - ended)})")

    def evaluate(self, expression: str, timeout: float = COMMAND_TIMEOUT):
        """The value of a JavaScript expression (a promise is awaited), as JSON data."""
        result = self.browser.send("Runtime.evaluate", session=self.session, timeout=timeout,
                                   expression=expression, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            why = details.get("exception", {}).get("description") or details["text"]
            raise BrowserError(f"JavaScript failed: {why}")
        return result["result"].get("value")

    def screenshot(self, clip: dict | None = None, scale: float = 1) -> bytes:
        """A PNG of the viewport, or of `clip` ({x, y, width, height} in page pixels) at `scale`."""
        params = {"format": "png"}
        if clip is not None:
            params.update(clip={**clip, "scale": scale}, captureBeyondViewport=True)
        return base64.b64decode(self.send("Page.captureScreenshot", **params)["data"])


# PNG ----------------------------------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _paeth(left: int, up: int, up_left: int) -> int:
    guess = left + up - up_left
    a, b, c = abs(guess - left), abs(guess - up), abs(guess - up_left)
    return left if a <= b and a <= c else up if b <= c else up_left


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from the IHDR chunk."""
    if data[:8] != PNG_SIGNATURE or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    return struct.unpack(">II", data[16:24])


def png_pixels(data: bytes):
    """Yield the rows of an 8-bit RGB or RGBA PNG, each a list of (r, g, b) tuples."""
    width, height = png_size(data)
    depth, colour, interlace = data[24], data[25], data[28]
    if depth != 8 or colour not in (2, 6) or interlace:
        raise ValueError(f"unsupported PNG (bit depth {depth}, colour type {colour}, interlace {interlace})")
    chunks, position = [], 8
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        if kind == b"IDAT":
            chunks.append(data[position + 8:position + 8 + length])
        position += 12 + length
    raw = zlib.decompress(b"".join(chunks))
    step = 3 if colour == 2 else 4
    stride = width * step
    above = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 1:
            for i in range(step, stride):
                line[i] = (line[i] + line[i - step]) & 0xFF
        elif kind == 2:
            for i in range(stride):
                line[i] = (line[i] + above[i]) & 0xFF
        elif kind == 3:
            for i in range(stride):
                line[i] = (line[i] + ((line[i - step] if i >= step else 0) + above[i]) // 2) & 0xFF
        elif kind == 4:
            for i in range(stride):
                left, up_left = (line[i - step], above[i - step]) if i >= step else (0, 0)
                line[i] = (line[i] + _paeth(left, above[i], up_left)) & 0xFF
        elif kind != 0:
            raise ValueError(f"PNG row {y}: unknown filter {kind}")
        yield [tuple(line[i:i + 3]) for i in range(0, stride, step)]
        above = line


def png_colours(data: bytes, enough: int | None = None) -> set[tuple[int, int, int]]:
    """The distinct colours of a PNG; stops once `enough` are found."""
    colours: set[tuple[int, int, int]] = set()
    for row in png_pixels(data):
        colours.update(row)
        if enough is not None and len(colours) >= enough:
            break
    return colours

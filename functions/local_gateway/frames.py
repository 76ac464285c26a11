"""Raw WebSocket frames for broadcasts: a message is framed once and the same bytes are
written to every connection's transport, instead of one ASGI `websocket.send` (and its
task, framing and middleware) per connection.

uvicorn's `websockets-sansio` protocol, extended to offer its connection as a
`FrameWriter` in the ASGI scope under `RAW_FRAMES`; `serve()` runs uvicorn with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode

RAW_FRAMES = "codearena.raw_frames"  # the ASGI scope extension holding the FrameWriter


def text_frame(utf8: bytes) -> bytes:
    """One complete, unmasked (server to client) text frame carrying `utf8` (UTF-8 text)."""
    return Frame(Opcode.TEXT, utf8).serialize(mask=False)


class FrameWriter(WebSocketsSansIOProtocol):
    """The uvicorn WebSocket protocol plus a synchronous write of ready-made frames.

    Frames are written whole on the event loop thread, so they never interleave with the
    frames the protocol writes itself (pings, pongs, close)."""

    async def run_asgi(self) -> None:
        self.scope["extensions"][RAW_FRAMES] = self  # type: ignore[index]
        await super().run_asgi()

    @property
    def is_open(self) -> bool:
        return self.handshake_complete and not (self.close_sent or self.disconnected)

    def write_frame(self, frame: bytes) -> bool:
        """Write `frame`; False when the connection is closing or closed (nothing written)."""
        if not self.is_open or self.transport.is_closing():
            return False
        self.transport.write(frame)
        return True

    def backlog_bytes(self) -> int:
        """Bytes accepted but not yet taken by the kernel (a slow or stalled reader)."""
        return int(self.transport.get_write_buffer_size()) if self.transport else 0


def frame_writer(scope: Mapping[str, Any]) -> FrameWriter | None:
    """The connection's FrameWriter, or None when the server is not uvicorn with it."""
    writer = (scope.get("extensions") or {}).get(RAW_FRAMES)
    return writer if isinstance(writer, FrameWriter) else None

"""A broadcast frame, framed once, reads back as the same text message at every size."""

from __future__ import annotations

import pytest
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from codearena.fanout import LONGEST_INTERVAL_SECONDS, coalescing_interval
from local_gateway.frames import text_frame


@pytest.mark.parametrize("size", [0, 125, 126, 65535, 65536])
def test_a_text_frame_reads_back_whole(size: int) -> None:
    text = "é" * (size // 2) + "x" * (size % 2)  # `size` bytes of UTF-8
    reader = StreamReader()
    reader.feed_data(text_frame(text.encode()))
    parser = Frame.parse(reader.read_exact, mask=False)
    with pytest.raises(StopIteration) as done:
        next(parser)
    frame = done.value.value
    assert (frame.opcode, frame.fin, frame.data.decode()) == (Opcode.TEXT, True, text)


def test_the_interval_widens_with_the_delivery_time_up_to_its_cap() -> None:
    assert coalescing_interval(0.0, 0.25) == 0.25
    assert coalescing_interval(0.05, 0.25) == 0.25
    assert coalescing_interval(0.3, 0.25) == pytest.approx(0.6)
    assert coalescing_interval(30.0, 0.25) == LONGEST_INTERVAL_SECONDS

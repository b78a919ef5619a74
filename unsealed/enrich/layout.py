"""Line shapes of page text that tell prose from header fields."""

from __future__ import annotations

import re

HEADER_LINE = re.compile(r"^\s*[A-Za-z][A-Za-z ]{0,15}[:;]")  # `From:`, `Sent:`, `Subject;`
SENTENCE_END = ".!?:;\"'”"  # a line ending in one of these ends a sentence

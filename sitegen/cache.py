"""The persistent build cache: parsed sources and rendered Markdown by content hash, and
per output the digest of everything it was rendered from.

The cache is only an accelerator: a missing, stale or unreadable cache gives the same
site, just more slowly (tests compare incremental builds with clean ones byte for byte).
"""

from __future__ import annotations

import os
import pickle
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import ENGINE_VERSION

FORMAT = f"sitegen-cache/{ENGINE_VERSION}/py{sys.version_info.major}.{sys.version_info.minor}"


@dataclass
class CacheState:
    stats: dict = field(default_factory=dict)  # source rel path -> (size, mtime_ns, digest)
    docs: dict = field(default_factory=dict)  # digest -> Document
    bodies: dict = field(default_factory=dict)  # (digest, engine, raw_html) -> html
    outputs: dict = field(default_factory=dict)  # output rel path -> route/static digest
    output_dir: str = ""


def load(path: Path | None) -> CacheState:
    if path is None or not path.is_file():
        return CacheState()
    try:
        with open(path, "rb") as fh:
            fmt, state = pickle.load(fh)
        if fmt != FORMAT or not isinstance(state, CacheState):
            return CacheState()
        return state
    except Exception:  # a damaged cache is ignored, never fatal
        return CacheState()


def save(path: Path | None, state: CacheState) -> None:
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        pickle.dump((FORMAT, state), fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)

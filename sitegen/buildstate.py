"""The build state: what the last build produced, and what this build keeps, writes and
removes. One object owns it from the first step of a build to the last, the way Lektor's
build state and `artifact.update()` do; nothing else reads or fills the build cache.

    state = BuildState(output, cache_path)   # recovers a killed build, loads the cache
    state.cached_source(...) / state.record_source(...)    # while sources are read
    state.template_closures(...) / state.record_closures(...)
    state.current(rel, digest)                # is this output current?
    with state.updating():                    # the output tree: committed, or rolled back
        state.write(rel, digest, data) / state.keep(rel) / state.wrote(...)
    state.finish()                            # the cache, for the next build

Every decision about what is current is made here, from what the previous build
recorded (cache.py), the way Lektor's builder keeps its build state: an artifact is
current when what it was made from is unchanged.

- A **source** is current when its size and modification time are those recorded, and its
  validation context, Markdown engine and raw-HTML setting too: its record, problems and
  model object are then reused without reading the file. (Same bytes under a new time are
  read again and give the same digests, so nothing downstream changes.)
- An **output** is current when the digest of everything it is made from (templates,
  site-wide globals, context; see render.py) is the one recorded, and the file in the
  output folder is still as it was written (size and time). It is then kept, not rendered.
- A **search part** is current when its pages' bytes are those it was indexed from, and
  every file of its bundle is current as an output.
- A **search slice** (search.py: Pagefind's index of some of a part's pages, decoded) is
  kept in a file of its own under the cache folder (`SearchStore`), named by the digest
  of its pages' bytes and trusted when its bytes have the SHA-256 the cache recorded.
- The **output folder** is the one the cache describes when the marker file written with
  it is still the same; otherwise nothing recorded about outputs is trusted, and the
  build writes a fresh tree (writer.StagedTree) instead of updating the folder in place
  (writer.InPlaceTree).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import stat
from pathlib import Path

import cbor2

from . import cache
from .assets import file_digest
from .cache import CacheState, Closures, SourceEntry, Stat, Written
from .writer import MARKER, InPlaceTree, StagedTree, recover, safe_join


def content_digest(data: bytes) -> str:
    """Digest of a page's bytes, as the search index plan compares them."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class BuildState:
    """What the previous build recorded (`previous`, loaded from the cache and trusted only
    for the output folder it describes) and what this build records (`next`, saved by
    `finish`). Outputs go through `updating()`, `write`, `wrote`, `keep`; outputs the
    previous build made and this one does not are removed on commit."""

    def __init__(self, output: Path | None, cache_path: Path | None, previous: CacheState | None = None):
        """`previous`: what an earlier build of this process recorded (its `next`), kept in
        memory (the preview); else it is read from the cache file."""
        self.output = output
        self.cache_path = cache_path
        if output is not None:
            recover(output)  # a killed build's update is undone before anything is read
        if previous is None:
            previous = cache.load(cache_path)
            self._loaded = bool(previous.output_dir) or bool(previous.stats)  # it came from a saved file
        else:
            self._loaded = False
        if output is None or previous.output_dir != str(output) or previous.marker != _marker(output):
            previous = dataclasses.replace(previous, outputs={}, search_parts={})  # another build wrote there since
        self.previous: CacheState = previous
        self.next = CacheState(output_dir=str(output) if output is not None else "", shard_keys=self.previous.shard_keys)
        self.tree: StagedTree | InPlaceTree | None = None
        self._written: set = set()  # output rel paths written by this build
        self._store: SearchStore | None = None

    @property
    def shows_nothing(self) -> bool:
        """A check: no output folder and no cache, so nothing this build makes is written,
        kept or shown."""
        return self.output is None and self.cache_path is None

    # ---- sources ----------------------------------------------------------------------------

    def cached_source(self, src, ctx_key: str | None, engine: str, raw: bool) -> tuple[SourceEntry, object] | None:
        """(entry, model object) recorded for a current source, or None."""
        old = self.previous.stats.get(src.rel)
        entry = self.previous.entities.get(src.rel)
        if not (old and entry and old.size == src.size and old.mtime_ns == src.mtime_ns):
            return None
        if entry.key != (old.digest, ctx_key, engine, raw, src.rel):
            return None
        obj = self.previous.objects.get(entry.key) if entry.record is not None else None
        if entry.record is not None and obj is None:
            return None
        return entry, obj

    def markdown_bodies(self) -> dict:
        """(bytes digest, engine, raw HTML) -> the Markdown rendered last time: a renamed
        or restored file is not rendered again."""
        return {(k.digest, k.engine, k.raw_html): obj.body_html for k, obj in self.previous.objects.items()}

    def record_source(self, rel: str, read: Stat, entry: SourceEntry | None = None, obj=None) -> None:
        """A source as read by this build (an entry for a Markdown source, with the model
        object made from it)."""
        self.next.stats[rel] = read
        if entry is not None:
            self.next.entities[rel] = entry
            if obj is not None:
                self.next.objects[entry.key] = obj

    # ---- templates --------------------------------------------------------------------------

    def template_closures(self, templates: tuple) -> dict | None:
        """The closures found last time for the same templates, or None."""
        old = self.previous.closures
        if old is None or old.templates != templates:
            return None
        self.next.closures = old
        return old.closures

    def record_closures(self, templates: tuple, closures: dict) -> None:
        self.next.closures = Closures(templates, closures)

    # ---- static files -----------------------------------------------------------------------

    def asset_digest(self, src: Path) -> str:
        """Digest of a static file's bytes, read again only when its size or time changed."""
        st = src.stat()
        old = self.previous.assets.get(str(src))
        if old and old.size == st.st_size and old.mtime_ns == st.st_mtime_ns:
            d = old.digest
        else:
            d = file_digest(src)
        self.next.assets[str(src)] = Stat(st.st_size, st.st_mtime_ns, d)
        return d

    # ---- outputs ----------------------------------------------------------------------------

    def current(self, rel: str, digest: str) -> bool:
        """The previous build wrote `rel` from the same digest and the file is still as written."""
        old = self.previous.outputs.get(rel)
        if self.output is None or not old or old.digest != digest:
            return False
        try:
            st = os.lstat(os.path.join(self.output, rel))
        except OSError:
            return False
        return stat.S_ISREG(st.st_mode) and st.st_size == old.size and st.st_mtime_ns == old.mtime_ns

    def unchanged_outputs(self, plan_key: str) -> list | None:
        """When the previous build planned its outputs from the very inputs this one has
        (`plan_key`, pipeline._plan_key), its pages and data outputs are this build's, made
        from the same digests: their paths, when every one is still as it was written.
        Else None (the build plans and digests every output)."""
        old = self.previous.outputs
        if not plan_key or self.previous.plan_key != plan_key or not old:
            return None
        rels = [rel for rel, w in old.items() if not w.digest.startswith(("asset:", "search:"))]
        if not all(self.current(rel, old[rel].digest) for rel in rels):
            return None
        return rels

    @contextlib.contextmanager
    def updating(self):
        """The output tree for this build's writes, as a context: committed when the block
        ends normally (after removing what the previous build made and this one did not),
        rolled back when it raises. The previous folder is updated in place when the cache
        describes it, else a fresh tree is made beside it and swapped in. Without an output
        folder (`check`) there is no tree."""
        if self.output is None:
            yield None
            return
        in_place = bool(self.previous.outputs)
        self.tree = InPlaceTree(self.output) if in_place else StagedTree(self.output)
        with self.tree:
            yield self.tree
            stale = [rel for rel in self.previous.outputs if rel not in self.next.outputs]
            for rel in stale:
                self.tree.remove(rel)
            if in_place and (self._written or stale):
                cache.invalidate(self.cache_path)  # an interrupted update is followed by a clean build
        self.next.marker = _marker(self.output)

    @property
    def workers_write(self) -> bool:
        """Forked workers may write their pages into the tree themselves."""
        return self.tree is not None and self.tree.workers_write

    def write(self, rel: str, digest: str, data: bytes, content: str = "", outline: str = "", reads: tuple = ()) -> None:
        """Write an output made from `digest` (`content`: digest of a page's bytes that the
        search index reads; `outline`, `reads`: what a page or data output's digest is made
        from, cache.Written). A file that comes out as it was (a page whose digest changed
        but not its bytes, a search file indexed again) is kept, not written again: an
        update renames only what changed into the site, and leaves the rest untouched."""
        old = self.previous.outputs.get(rel)
        if (old is not None and self.current(rel, old.digest) and self.same_bytes(rel, data)
                and self.keep(rel, Written(digest, old.size, old.mtime_ns, outline, "\0".join(reads)))):
            if content:
                self.next.contents[rel] = content
            return
        self.wrote(rel, digest, self.tree.write_file(rel, data), content, outline, reads)

    def wrote(self, rel: str, digest: str, size_mtime: tuple, content: str = "", outline: str = "", reads: tuple = ()) -> None:
        """Record an output a worker wrote into the tree."""
        self.next.outputs[rel] = Written(digest, *size_mtime, outline, "\0".join(reads))
        self._written.add(rel)
        if content:
            self.next.contents[rel] = content

    def keep(self, rel: str, now: Written | None = None) -> bool:
        """Keep the previous build's file (current, as `current` said); False when it
        cannot be carried into the tree after all (then write it). `now`: its record, when
        what it is made from changed but its bytes did not."""
        if not self.tree.keep(rel):
            return False
        self.next.outputs[rel] = self.previous.outputs[rel] if now is None else now
        if rel in self.previous.contents:
            self.next.contents[rel] = self.previous.contents[rel]
        return True

    def page_file(self, rel: str) -> Path:
        """Where this build's version of an output can be read before the commit."""
        return self.tree.written(rel) if rel in self._written else safe_join(self.output, rel)

    def content(self, rel: str) -> str:
        """Digest of the bytes of an output of this build (recorded, or read back)."""
        if rel not in self.next.contents:  # kept from a cache that did not record it
            self.next.contents[rel] = content_digest(self.page_file(rel).read_bytes())
        return self.next.contents[rel]

    def same_bytes(self, rel: str, data: bytes) -> bool:
        """The previous build's file holds exactly `data`."""
        path = safe_join(self.output, rel)
        try:
            return path.stat().st_size == len(data) and path.read_bytes() == data
        except OSError:
            return False

    def keep_search_part(self, part_digest: str) -> bool:
        """Keep a current search part's files; False when it must be indexed again."""
        files = self.previous.search_parts.get(part_digest)
        digest = "search:" + part_digest
        if not files or not all(self.current(rel, digest) for rel in files):
            return False
        if not all(self.keep(rel) for rel in files):
            return False
        self.next.search_parts[part_digest] = files
        return True

    def record_search_part(self, part_digest: str, files: list) -> None:
        self.next.search_parts[part_digest] = files

    def search_store(self) -> SearchStore | None:
        """The kept search slices (None for a build without a cache)."""
        if self._store is None and self.cache_path is not None:
            self._store = SearchStore(self.cache_path.parent / "search", self.previous.search_slices, self.next.search_slices)
        return self._store

    def scratch(self, kind: str) -> Path:
        """A folder beside the output folder for a step's own scratch (removed by the next
        build when this one is killed: writer._recover)."""
        return self.output.parent / f".{self.output.name}.{kind}-{os.getpid()}"

    # ---- the end ----------------------------------------------------------------------------

    def finish(self) -> None:
        """Save what this build recorded; only what changed is written (cache.save)."""
        cache.save(self.cache_path, self.next, self.previous if self._loaded else None)
        store = self.search_store()
        if store is not None:
            store.prune()


def _marker(output: Path | None) -> cache.Marker | None:
    """Identity of an output folder's generation: every fresh tree writes a new marker.
    (Its time, not its inode: a folder restored from a CI cache keeps its times.)"""
    if output is None:
        return None
    try:
        st = os.stat(output / MARKER)
    except OSError:
        return None
    return cache.Marker(st.st_mtime_ns, st.st_size)


class SearchStore:
    """The search slices a build keeps for the next (search.py), one file each in `folder`,
    named by the slice's digest and holding its data as CBOR. A file is read only when its
    SHA-256 is the one the cache recorded for that name (`trusted`): a file left by a killed
    build, changed on disk or put there by hand is not used. Files are written whole under
    a scratch name and renamed (by the forked workers that index the parts); what this
    build uses is recorded in `used` (the next cache's), and `prune` removes the rest."""

    def __init__(self, folder: Path, trusted: dict, used: dict):
        self.folder, self.trusted, self.used = folder, trusted, used
        # The folder is the build's own (the cache folder's checks): whatever else stands
        # under its name, a link above all, is removed, never followed.
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            with contextlib.suppress(OSError):  # then writing there fails, and nothing is kept
                folder.unlink()

    def load(self, digest: str):
        want = self.trusted.get(digest)
        if want is None:
            return None
        try:
            fd = os.open(self.folder / digest, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "rb") as fh:
                data = fh.read()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != want:
            return None
        try:
            value = cbor2.loads(data)
        except Exception:
            return None
        return value if type(value) is dict else None

    def save(self, digest: str, value) -> str | None:
        """Write `value` under `digest`; returns the SHA-256 to record for it, or None when
        it could not be written (a full or read-only disk: the build goes on without it,
        and the cache's own save then reports the disk)."""
        data = cbor2.dumps(value)
        scratch = self.folder / f".{digest}.{os.getpid()}"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(scratch)
            fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(scratch, self.folder / digest)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(scratch)
            return None
        return hashlib.sha256(data).hexdigest()

    def record(self, kept: dict) -> None:
        self.used.update((digest, sha) for digest, sha in kept.items() if sha is not None)

    def keep(self, digests) -> None:
        """Slices of a search part kept as it was: still needed by the next edit."""
        for digest in digests:
            if digest in self.trusted:
                self.used[digest] = self.trusted[digest]

    def prune(self) -> None:
        """Remove the files this build did not use (and scratch files of killed builds)."""
        try:
            names = os.listdir(self.folder)
        except OSError:
            return
        for name in names:
            if name not in self.used:
                try:
                    os.unlink(self.folder / name)
                except OSError:
                    pass

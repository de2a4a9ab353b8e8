"""The live preview (`build.py serve`), one job per module:

- command.py: the command: start, first load, reloads after saves, clean stop on signals
- livesite.py: the build state kept in memory; pages rendered when asked for
- watcher.py: the operating system's file events (watchfiles)
- handlers.py: the HTTP handlers and the live-reload socket (livereload's protocol and client)
- indexer.py: the search index, made in the background
- errorpage.py: the page that shows the problems in the browser
- log.py: the terminal log
"""

from .command import cmd_serve

__all__ = ["cmd_serve"]

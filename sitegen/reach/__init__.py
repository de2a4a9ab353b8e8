"""Reach from the platforms' own exports.

`build.py reach import FILE... --series SLUG` reads a Zoom participant report, a Zoom
webinar attendee report or a YouTube Studio export, computes the figures by the rules in
docs/reach.md, and writes them with their provenance to `content/reach/<slug>.yaml`.
The build reads those files as a content kind (records.py) and shows each figure with
what it counts, its as-of date and the export's file name.

No participant's name, e-mail or IP address leaves this package: they are read into
memory to tell people apart and dropped; only counts and the export's own metadata are
written.

    tables.py    bytes -> text -> rows with line numbers (BOM, UTF-16, CRLF, ';', zip)
    zoom.py      Zoom Meetings participant reports and Zoom Webinar attendee reports
    youtube.py   YouTube Studio advanced-mode exports
    command.py   the command: read, compute, print, write (all or nothing)
    records.py   content/reach/*.yaml as a content kind: fields, checks, model
"""

#!/usr/bin/env python3
"""Build, check, preview and scaffold the ASN Belajar / ASN Dahar Ngopi site.

    python build.py                 build into _site/
    python build.py check --strict  validate only
    python build.py serve           preview with live reload on http://127.0.0.1:8000/
    python build.py new "Judul" --program asn-belajar --date 2024-03-07

`python build.py --help` lists every option.
"""

from sitegen.cli import run

if __name__ == "__main__":
    run()

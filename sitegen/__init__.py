"""Static site engine for the ASN Belajar and ASN Dahar Ngopi archive.

The pipeline, one module per stage:

    config -> load (find + parse sources) -> validate -> model -> routes (plan outputs)
           -> render -> writer

`sitegen.pipeline.build` reads top to bottom as that recipe (docs/architecture.md).
"""

from pathlib import Path

ENGINE_VERSION = "1"

# The folder that holds the package and the shipped defaults (templates/, static/) that a
# project's own folders override.
PACKAGE_ROOT = Path(__file__).resolve().parent.parent

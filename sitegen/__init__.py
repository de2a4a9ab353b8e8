"""Static site engine for the ASN Belajar and ASN Dahar Ngopi archive.

The pipeline, one module per stage:

    config -> load (find + parse sources) -> validate -> model -> routes (plan outputs)
           -> render -> writer

`sitegen.pipeline.build` reads top to bottom as that recipe.
"""

ENGINE_VERSION = "1"

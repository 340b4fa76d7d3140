"""Reading scanned reports: page images -> the same Document the PDF reader produces.

- `engine`: the OCR engine behind a small interface (text-line detection, line recognition with
  per-character alternatives); the default is PP-OCRv4 run by onnxruntime (rapidocr-onnxruntime
  ships the models in its wheel), one thread per process.
- `images`: decoding image files and PDF pages with size limits checked before decoding.
- `page`: one page image -> ruled tables and text lines (perspective, deskew, seal, borders).
- `reader`: pages -> Document (medium "scan"), through the PDF reader's own table and text code.
- `digits`: every recognised digit checked against the statutory sum rules.
- `series`: inbox files that are the pages of one report (`name_1.jpg`, `name-p2.png`, ...).
"""

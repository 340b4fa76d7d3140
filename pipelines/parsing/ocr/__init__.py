"""Reading scanned reports: page images -> the same Document the PDF reader produces.

- `engine`: the OCR engine behind a small interface (line images in, characters with their
  probabilities and alternatives out); PP-OCRv4 recognition run by onnxruntime, the model shipped
  inside the rapidocr-onnxruntime wheel, one thread per process. `tesseract`: Tesseract behind
  the same interface, for the comparison (`compare`, `gongkai bench ocr`, docs/ocr.md).
- `images`: decoding image files, with size and page limits checked from the header first.
- `page`: one page image -> a clean upright page, its ink and its rulings (perspective, skew,
  seal, borders, specks).
- `reader`: pages -> Document (medium "scan"), through the PDF reader's own table and text code.
- `pdfscan`: which PDF pages need OCR (no text layer, or one without the tables' labels).
- `digits`: every recognised digit checked against the statutory sum rules.
- `series`: inbox files that are the pages of one report (`name_1.jpg`, `name-p2.png`, ...).
"""

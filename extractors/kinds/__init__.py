"""One module (or package) per document kind, each registering its Extractor in extractors.base."""

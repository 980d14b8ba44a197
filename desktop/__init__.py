"""Casebook: write up calciphylaxis case reports offline."""
__version__ = "0.1.0"

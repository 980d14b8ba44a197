"""The assessment core: a pure function of a case. No I/O beyond reading resources/, no Qt."""
from .assess import assess

__all__ = ["assess"]

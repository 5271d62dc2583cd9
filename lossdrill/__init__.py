"""lossdrill: a terminal trainer for the loss-function part of ML interviews."""

__version__ = "0.1.0"

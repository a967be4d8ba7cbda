"""jjj-atlas: mapping the integration of Beijing's sub-center with the North Three Counties."""

__version__ = "0.1.0"

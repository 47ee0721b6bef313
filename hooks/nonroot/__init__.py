"""nonroot: build a service image and prove, on a running container, that no process is root."""

__version__ = "0.2.0"

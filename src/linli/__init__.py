"""linli 邻里 — the urban community embedded service facilities platform."""

__version__ = "0.1.0"

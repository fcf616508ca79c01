"""The stack-file schema: one module per area, plus the loader that turns errors into key-path messages."""

from components.config.loader import ConfigError, load_stack_config, running_program_config
from components.config.stack import StackConfig

__all__ = ["ConfigError", "StackConfig", "load_stack_config", "running_program_config"]

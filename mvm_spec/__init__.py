"""mvm-spec: the executable reference specification of the Metis Virtual Machine."""

__version__ = "0.1.0"

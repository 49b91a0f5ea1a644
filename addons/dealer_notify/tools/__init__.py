from .template import template_errors

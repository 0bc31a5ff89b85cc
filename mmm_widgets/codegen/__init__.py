"""Code generation: chunks of plain pandas / pymc-marketing code and their assembly."""

from mmm_widgets.codegen.chunk import CodeChunk, assemble_script, literal, plain, unused_name
from mmm_widgets.codegen.notebook import to_notebook_json

__all__ = ["CodeChunk", "assemble_script", "literal", "plain", "to_notebook_json", "unused_name"]

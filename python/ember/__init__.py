"""Ember: on-device inference for .tflite models.

`ember.Interpreter` is a drop-in for `ai_edge_litert.interpreter.Interpreter`:
existing LiteRT code runs on Ember by changing one import.
"""
from ember.interpreter import (Delegate, Interpreter, OpResolverType,
                               SignatureRunner, load_delegate)

__all__ = ["Interpreter", "SignatureRunner", "OpResolverType", "Delegate",
           "load_delegate"]
__version__ = "0.1.0"

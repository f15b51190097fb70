"""CrossHair plugin (loaded with ``crosshair check --extra_plugin formal/crosshair_plugin.py``).

CrossHair ``exec``s this file's text; it registers the model of the fixed-width integer constructors described in
formal/crosshair_uint_model.py. Do not import this module from anywhere else.
"""

from formal.crosshair_uint_model import register

register()

"""``ringkas eval``: the quality a configuration gives on your own data, and the speed it costs.

Layers: ``data`` reads items, ``metrics`` scores them with the field's libraries, ``run`` decodes each
configuration through the service's own pipeline, ``report`` prints, writes and plots the result.
"""

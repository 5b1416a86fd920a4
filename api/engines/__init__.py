"""Model side: loading, the Engine protocol and its implementations, the batcher, task adapters.

Nothing here knows about HTTP; errors are raised as ``api.errors`` types.
"""

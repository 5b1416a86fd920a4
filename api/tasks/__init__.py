"""The tasks: the summarizer and the translator, adapting prompts and presets onto an engine's batcher."""

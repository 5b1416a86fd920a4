"""What `ringkas fetch-models` makes on disk and every worker reads back: checkpoints (loading),
conversion to CTranslate2 (convert), kept vocabularies (vocab), tokenizers without transformers
(light), language codes (languages), and the one way to make them (files). Imports no engine."""

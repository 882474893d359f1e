"""Metadata providers: one module per provider, one Protocol (`base.MetadataProvider`),
one explicit registry (`registry.PROVIDERS`)."""

"""Document analysis that reads structure out of page text (printed e-mail headers, ...)."""

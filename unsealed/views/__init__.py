"""Page data: each function composes library reads into what one page and its JSON twin return."""

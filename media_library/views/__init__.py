"""Media library views, one module a feature: curate (library pages), upload, serving."""

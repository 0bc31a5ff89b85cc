"""A corpus of malformed datasets: builders, files and the manifest of what each must give."""

"""Pure functions returning layout pieces or figures: inputs in, output out, no I/O."""

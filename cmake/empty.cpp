// Compiled into a folder library that has no sources yet, so that every target exists.

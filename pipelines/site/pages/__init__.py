"""One module per kind of page; each has `write(writer, data, ...)` and uses the templates of the
same name."""

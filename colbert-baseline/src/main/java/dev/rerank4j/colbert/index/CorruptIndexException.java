package dev.rerank4j.colbert.index;

import java.nio.file.Path;

/** An index file that is not a ColBERT index, has an unknown version, or is truncated or damaged. */
public final class CorruptIndexException extends RuntimeException {

    private final Path file;

    public CorruptIndexException(Path file, String problem) {
        super("ColBERT index file " + file + ": " + problem);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
